import type { DellJob } from './redfish.schemas';

/** How RackOps reads a Dell job: what, if anything, is still needed to finish it. */
export type JobPhase = 'running' | 'awaiting-reboot' | 'completed' | 'failed';

/**
 * Dell JobState values (New, Scheduling, Scheduled, Downloading, Downloaded, Running, Waiting,
 * ReadyForExecution, RebootPending, RebootCompleted, Completed, CompletedWithErrors, Failed, …).
 * A staged update sits in `Scheduled` (or `RebootPending`) until the host reboots. Some components
 * report `Completed` with a message that a reboot is still pending: that is NOT done yet.
 */
export function jobPhase(job: Pick<DellJob, 'JobState' | 'Message' | 'MessageId'>): JobPhase {
  const state = job.JobState.replace(/\s+/g, '').toLowerCase();
  const msg = (job.Message ?? '').toLowerCase();
  if (state === 'failed' || state === 'completedwitherrors' || state === 'rebootfailed') return 'failed';
  if (state === 'completed' || state === 'rebootcompleted') {
    return /reboot (is )?pending|pending reboot|requires? (a )?reboot/.test(msg)
      ? 'awaiting-reboot'
      : 'completed';
  }
  if (state === 'scheduled' || state === 'rebootpending' || state === 'pendingactivation')
    return 'awaiting-reboot';
  return 'running';
}

/** Jobs a fresh maintenance must not inherit: anything neither finished nor failed. */
export const isOpenJob = (job: DellJob): boolean => {
  const p = jobPhase(job);
  return p === 'running' || p === 'awaiting-reboot';
};
