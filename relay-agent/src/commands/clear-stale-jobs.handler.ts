import type { DeviceRegistry } from '../devices/device-registry';
import { isOpenJob } from '../redfish/job-state';
import type { CommandHandler } from './command-context';

/**
 * idrac.clear-stale-jobs — converges on "no open jobs": lists the queue first and deletes only
 * what is still open (one by one, or the whole queue with JID_CLEARALL when `force`). A rerun
 * after success finds nothing and clears nothing.
 */
export function createClearStaleJobsHandler(
  devices: DeviceRegistry,
): CommandHandler<'idrac.clear-stale-jobs'> {
  return async (params, ctx) => {
    const rf = devices.idrac(ctx.target.id);
    const open = (await rf.jobs()).filter(isOpenJob);
    if (open.length === 0) return { cleared: 0 };
    if (params.force) {
      await rf.deleteJobQueue('JID_CLEARALL');
    } else {
      for (const j of open) {
        await ctx.progress(`deleting job ${j.Id} (${j.JobState})`);
        await rf.deleteJobQueue(j.Id);
      }
    }
    return { cleared: open.length };
  };
}
