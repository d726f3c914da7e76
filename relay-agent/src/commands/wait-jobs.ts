import { DeviceError, DeviceOperationError, DeviceTimeoutError } from '../http/errors';
import { jobPhase, type JobPhase } from '../redfish/job-state';
import type { RedfishClient } from '../redfish/redfish-client';
import type { DellJob } from '../redfish/redfish.schemas';
import type { CommandContext } from './command-context';
import { pollBackoff } from './poll-backoff';

/**
 * Polls iDRAC jobs until each is in one of `until` phases. Transient faults (the iDRAC resetting
 * itself while it applies its own firmware) are waited out; the client logs in again by itself.
 * A failed job throws `idrac_job_failed` with Dell's message.
 */
export async function waitForJobs(
  rf: RedfishClient,
  jobIds: readonly string[],
  until: readonly JobPhase[],
  ctx: CommandContext,
  opts: {
    timeoutMs: number;
    label: string;
    /** Extra condition per job: how many polls saw it, and for how long (ms) it has been seen. */
    settle?: (job: DellJob, polls: number, seenForMs: number) => boolean;
  },
): Promise<DellJob[]> {
  const deadline = Date.now() + opts.timeoutMs;
  const polls = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  const delay = pollBackoff(ctx.pollIntervalMs);
  for (;;) {
    const jobs: DellJob[] = [];
    let unreachable = false;
    try {
      for (const id of jobIds) jobs.push(await rf.job(id));
    } catch (err) {
      if (!(err instanceof DeviceError) || !err.retryable) throw err;
      unreachable = true;
    }
    if (!unreachable) {
      const failed = jobs.find((j) => jobPhase(j) === 'failed');
      if (failed) {
        throw new DeviceOperationError(
          'idrac_job_failed',
          `${rf.device} job ${failed.Id} ${failed.JobState}: ${failed.Message ?? ''}`,
        );
      }
      // Count a poll for every job before judging any: \`every\` stops at the first unsettled job, and counting
      // inside it made the jobs settle one after another (three polls each) instead of together.
      const now = Date.now();
      for (const id of new Set(jobs.map((j) => j.Id))) {
        polls.set(id, (polls.get(id) ?? 0) + 1);
        if (!firstSeen.has(id)) firstSeen.set(id, now);
      }
      const done = jobs.every(
        (j) =>
          until.includes(jobPhase(j)) &&
          (opts.settle?.(j, polls.get(j.Id) ?? 0, now - (firstSeen.get(j.Id) ?? now)) ?? true),
      );
      if (done) return jobs;
      const pct = jobs.reduce((s, j) => s + (j.PercentComplete ?? 0), 0) / Math.max(1, jobs.length);
      await ctx.progress(`${opts.label}: ${jobs.map((j) => `${j.Id} ${j.JobState}`).join(', ')}`, {
        percent: pct,
      });
    } else {
      await ctx.progress(`${opts.label}: iDRAC not answering (resetting?), waiting`);
    }
    if (Date.now() >= deadline) throw new DeviceTimeoutError(`${rf.device} ${opts.label}`, opts.timeoutMs);
    await ctx.sleep(delay());
  }
}
