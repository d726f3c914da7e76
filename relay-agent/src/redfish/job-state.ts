import type { DellJob } from './redfish.schemas';

/** How RackOps reads a Dell job: what, if anything, is still needed to finish it. */
export type JobPhase = 'running' | 'awaiting-reboot' | 'completed' | 'failed';

/**
 * Every `JobState` the DellJob schema enumerates (iDRAC9 3.x–7.x; `Unknown` included). The table below has a
 * rule for each; a state outside this list (a newer firmware's) reads as `running`: open, so nothing treats
 * it as done, and a wait on it times out with its message rather than skipping it.
 */
export const DELL_JOB_STATES = [
  'New',
  'Scheduling',
  'Scheduled',
  'Downloading',
  'Downloaded',
  'Waiting',
  'ReadyForExecution',
  'Running',
  'Paused',
  'RebootPending',
  'PendingActivation',
  'RebootCompleted',
  'Completed',
  'CompletedWithErrors',
  'Failed',
  'RebootFailed',
  'Unknown',
] as const;
export type DellJobState = (typeof DELL_JOB_STATES)[number];

export interface JobStateRule {
  readonly state: DellJobState;
  /** Only when the job's Message matches (case-insensitive); a rule without one matches any message. */
  readonly message?: RegExp;
  /** Only when PercentComplete is at least this. */
  readonly minPercent?: number;
  readonly phase: JobPhase;
  readonly why: string;
}

/** "… reboot pending …", "… pending reboot …", "… requires a reboot …": applied only after a reboot. */
const REBOOT_STILL_NEEDED = /reboot (is )?pending|pending reboot|requires? (a )?(server |system )?reboot/i;
/** "Reboot is complete." / "Reboot completed successfully.": a reboot job that has nothing left to do. */
const REBOOT_DONE = /reboot (is )?complete/i;

/**
 * The classification, first matching rule wins. Message-specific rules come before their state's general
 * rule. Table-tested (relay-agent/test/job-state.test.ts) with each state and the message pairs Dell reports.
 */
export const JOB_STATE_TABLE: readonly JobStateRule[] = [
  { state: 'New', phase: 'running', why: 'created; the iDRAC moves it on by itself' },
  { state: 'Scheduling', phase: 'running', why: 'being scheduled' },
  { state: 'Downloading', phase: 'running', why: 'fetching the package' },
  { state: 'Downloaded', phase: 'running', why: 'package on the iDRAC; scheduled or run next' },
  { state: 'Waiting', phase: 'running', why: 'queued behind other work on the iDRAC' },
  { state: 'Paused', phase: 'running', why: 'open: neither done nor failed' },
  {
    state: 'Running',
    message: REBOOT_DONE,
    minPercent: 100,
    phase: 'completed',
    why: 'a reboot job some firmware leaves Running at 100 % once the reboot is over (issue 19)',
  },
  { state: 'Running', phase: 'running', why: 'in progress' },
  { state: 'Scheduled', phase: 'awaiting-reboot', why: 'staged: runs in the next POST' },
  { state: 'ReadyForExecution', phase: 'awaiting-reboot', why: 'committed; runs when the host reboots' },
  { state: 'RebootPending', phase: 'awaiting-reboot', why: 'waiting for the host reboot' },
  { state: 'PendingActivation', phase: 'awaiting-reboot', why: 'applied; activates with the reboot' },
  {
    state: 'Completed',
    message: REBOOT_STILL_NEEDED,
    phase: 'awaiting-reboot',
    why: 'some components report Completed while the reboot that activates them is still pending',
  },
  { state: 'Completed', phase: 'completed', why: 'done' },
  { state: 'RebootCompleted', message: REBOOT_STILL_NEEDED, phase: 'awaiting-reboot', why: 'as Completed' },
  { state: 'RebootCompleted', phase: 'completed', why: 'the reboot it waited for happened' },
  { state: 'CompletedWithErrors', phase: 'failed', why: 'part of the package did not apply' },
  { state: 'Failed', phase: 'failed', why: 'failed' },
  { state: 'RebootFailed', phase: 'failed', why: 'the reboot it needed did not happen' },
  { state: 'Unknown', phase: 'running', why: 'the iDRAC cannot say: treated as open' },
];

const normal = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/** The rule a job falls under; undefined for a JobState no Dell schema lists. */
export function jobStateRule(
  job: Pick<DellJob, 'JobState' | 'Message' | 'PercentComplete'>,
): JobStateRule | undefined {
  const state = normal(job.JobState);
  const msg = job.Message ?? '';
  const pct = job.PercentComplete ?? 0;
  return JOB_STATE_TABLE.find(
    (r) =>
      normal(r.state) === state &&
      (r.message === undefined || r.message.test(msg)) &&
      (r.minPercent === undefined || pct >= r.minPercent),
  );
}

export function jobPhase(job: Pick<DellJob, 'JobState' | 'Message' | 'PercentComplete'>): JobPhase {
  return jobStateRule(job)?.phase ?? 'running';
}

/** Jobs a fresh maintenance must not inherit: anything neither finished nor failed. */
export const isOpenJob = (job: DellJob): boolean => {
  const p = jobPhase(job);
  return p === 'running' || p === 'awaiting-reboot';
};
