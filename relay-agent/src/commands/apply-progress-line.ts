import { jobPhase } from '../redfish/job-state';
import type { DellJob } from '../redfish/redfish.schemas';

/** Jobs still open that the line names; the rest are counted. */
const NAMED = 3;

/**
 * The apply's progress line, news first: how many of the staged jobs have ended, any that failed, then the few
 * still open. Listing every job in order put the news at the end of a 14-job line, and the job card (which shows
 * a line's start) showed the same "JID_… Completed 100%, JID_… Completed 100%, …" five times over.
 */
export function applyingLine(jobs: readonly DellJob[] | undefined): string {
  if (!jobs) return 'applying: iDRAC not answering';
  const phases = jobs.map((j) => ({ job: j, phase: jobPhase(j) }));
  const done = phases.filter((p) => p.phase === 'completed').length;
  const failed = phases.filter((p) => p.phase === 'failed').map((p) => p.job.Id);
  const open = phases.filter((p) => p.phase !== 'completed' && p.phase !== 'failed').map((p) => p.job);
  const named = open.slice(0, NAMED).map((j) => `${j.Id} ${j.JobState} ${j.PercentComplete ?? 0}%`);
  if (open.length > NAMED) named.push(`${open.length - NAMED} more`);
  return [
    `applying: ${done} of ${jobs.length} job(s) done`,
    ...(failed.length ? [`failed: ${failed.join(', ')}`] : []),
    ...(named.length ? [named.join(', ')] : []),
  ].join('; ');
}
