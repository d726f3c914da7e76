import { type Job, SYSTEM } from '../jobs/job.schema';
import type { Notifier } from '../ports/notifier.port';
import type { JobStore } from '../ports/job-store.port';
import type { RecordStore } from '../ports/record-store.port';
import { ConflictError } from '../util/errors';
import type { HostItem } from '../workflows/ops/state.schema';
import { HostUpdateParams } from '../workflows/params';
import { notifyOccurrence } from './occurrence-notify';
import { jobsDone } from './window-rollout';
import { createWindowStore } from './window-store';
import type { OccurrenceStatus } from './window.schema';

/**
 * What an occurrence ended as, from its jobs' outcomes and the hosts the window's end kept from starting:
 * a failure beats a cancel beats hosts left (`partial`) beats `completed`.
 */
export function occurrenceOutcome(
  jobs: readonly Pick<Job, 'status'>[],
  hostsLeft: readonly string[],
): OccurrenceStatus {
  if (jobs.some((j) => j.status === 'failed')) return 'failed';
  if (jobs.some((j) => j.status === 'cancelled')) return hostsLeft.length ? 'partial' : 'cancelled';
  return hostsLeft.length ? 'partial' : 'completed';
}

/**
 * A job a window started has ended: once every job of the occurrence has, the occurrence ends with its
 * outcome and the hosts left for the next one, told through `notifier` (the notification pipeline). Returns
 * the status written, if any.
 */
export async function settleOccurrence(
  store: JobStore & RecordStore,
  now: () => Date,
  job: Job,
  hostsLeftOf: (jobId: string) => Promise<HostItem[]>,
  windowEndReason: string,
  notifier?: Notifier,
): Promise<OccurrenceStatus | undefined> {
  const params = HostUpdateParams.safeParse(job.params);
  const w = params.success ? params.data.window : undefined;
  if (!job.windowId || !w) return undefined;
  const windows = createWindowStore(store, now);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await windows.getOccurrence(job.windowId, w.start);
    if (found?.value.status !== 'running') return undefined;
    const ids = found.value.jobIds ?? (found.value.jobId ? [found.value.jobId] : [job.id]);
    const jobs = await Promise.all(ids.map((id) => (id === job.id ? job : store.getJob(id))));
    if (!jobsDone(jobs)) return undefined;
    const hostsLeft: string[] = [];
    for (const id of ids)
      for (const h of await hostsLeftOf(id))
        if (h.phase === 'not_started' && h.reason?.startsWith(windowEndReason)) hostsLeft.push(h.hostId);
    const ended = jobs.flatMap((j) => (j ? [j] : []));
    const status = occurrenceOutcome(ended, hostsLeft);
    // The catalog, read when the occurrence fired, had nothing newer for any host: say so, not just "completed".
    const nothing =
      status === 'completed' &&
      ended.length > 0 &&
      ended.every((j) => j.status === 'completed' && j.details.phase === 'nothing_to_do');
    try {
      const ended = await windows.moveOccurrence(
        { windowId: job.windowId, start: w.start, end: w.end },
        status,
        {
          ...(hostsLeft.length ? { hostsLeft } : {}),
          ...(status !== 'completed' && status !== 'partial' && job.summary
            ? { reason: job.summary.slice(0, 500) }
            : {}),
          ...(nothing
            ? { reason: `nothing to do: ${job.summary ?? 'every host matches the catalog'}`.slice(0, 500) }
            : {}),
        },
        SYSTEM,
      );
      // Told once: only the job whose write settled the occurrence gets here.
      const series = await windows.getWindow(job.windowId);
      if (series) await notifyOccurrence(notifier, series.value, ended);
      return status;
    } catch (err) {
      // Two jobs of one occurrence ended at once: read again.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return undefined;
}
