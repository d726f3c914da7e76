import { jobPhase } from '../redfish/job-state';
import type { DellJob } from '../redfish/redfish.schemas';

/** What an apply-and-reboot does and has done; kept in the ledger (`memo` "plan"). */
export interface Plan {
  /** Staged jobs this reboot applies (fixed at the first run, so a resume watches the same ones). */
  jobs: string[];
  rebootRequestedAt?: string;
  rebootSent?: boolean;
  sawDown?: boolean;
}

/**
 * The plan of a command another agent began (its ledger, and the plan, are gone): the staged jobs plus the update
 * jobs already running (the reboot reached POST). The reboot counts as sent when update jobs run, when the iDRAC
 * shows a reboot job still running (the generations that report reboots as `RID_` jobs), or when vCenter no
 * longer sees the host connected (ESXi shutting down). Jobs all finished leave an empty plan: the caller waits
 * for the host to be back.
 */
export function planFromDevices(all: DellJob[], connectionState: string | undefined): Plan {
  const staged = all.filter((j) => jobPhase(j) === 'awaiting-reboot');
  const running = all.filter((j) => j.JobType === 'FirmwareUpdate' && jobPhase(j) === 'running');
  const rebooting = all.some((j) => /^Reboot/i.test(j.JobType ?? '') && jobPhase(j) === 'running');
  const rebootUnderWay =
    running.length > 0 || rebooting || (connectionState !== undefined && connectionState !== 'connected');
  const jobs = [...staged, ...running].map((j) => j.Id);
  return rebootUnderWay && jobs.length > 0 ? { jobs, rebootSent: true } : { jobs };
}
