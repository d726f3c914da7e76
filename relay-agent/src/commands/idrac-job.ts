import type { IdracJob } from '@rackops/core/relay/commands';
import type { z } from 'zod';
import type { DellJob } from '../redfish/redfish.schemas';

export function toIdracJob(j: DellJob): z.infer<typeof IdracJob> {
  return {
    id: j.Id,
    ...(j.Name ? { name: j.Name } : {}),
    state: j.JobState,
    ...(typeof j.PercentComplete === 'number' ? { percent: j.PercentComplete } : {}),
    ...(j.Message ? { message: j.Message } : {}),
  };
}
