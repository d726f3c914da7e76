import type { DeviceRegistry } from '../devices/device-registry';
import { isOpenJob } from '../redfish/job-state';
import type { CommandHandler } from './command-context';
import { toIdracJob } from './idrac-job';

/** idrac.lc-status — read-only: Lifecycle Controller readiness plus jobs that are still open. */
export function createLcStatusHandler(devices: DeviceRegistry): CommandHandler<'idrac.lc-status'> {
  return async (_params, ctx) => {
    const rf = devices.idrac(ctx.target.id);
    const st = await rf.lcStatus();
    const staleJobs = (await rf.jobs()).filter(isOpenJob).map(toIdracJob);
    return { ready: st.LCStatus === 'Ready', status: st.LCStatus, staleJobs };
  };
}
