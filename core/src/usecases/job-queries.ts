import type { HostResolution } from '../blockers/resolution.schema';
import { type Job, type JobStatus, type JobStep, type LogLine, isTerminal } from '../jobs/job.schema';
import type { Store } from '../ports/store.port';
import { NotFoundError } from '../util/errors';
import { type HostBlockers, loadBlockers } from './stored-blockers';

export interface JobView {
  job: Job;
  steps: JobStep[];
  /** The last few console lines, oldest first. */
  recentLog: LogLine[];
  blockers: HostBlockers[];
  resolutions: HostResolution[];
}

export async function getJobView(store: Store, jobId: string, logLines = 5): Promise<JobView> {
  const job = await store.getJob(jobId);
  if (!job) throw new NotFoundError('job', jobId);
  const [steps, blockers, resolutionItems] = await Promise.all([
    store.listSteps(jobId),
    job.status === 'paused' ? loadBlockers(store, jobId) : Promise.resolve([]),
    store.listJobItems<HostResolution>(jobId, 'resolution'),
  ]);
  // Console logs can be long; walk to the end keeping only a small tail.
  let tail: LogLine[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listLog(jobId, { limit: 200, cursor });
    tail = [...tail, ...page.items].slice(-logLines);
    cursor = page.cursor;
  } while (cursor);
  return {
    job,
    steps: [...steps].sort((a, b) => a.order - b.order),
    recentLog: tail,
    blockers,
    resolutions: resolutionItems.filter((r) => !r.key.startsWith('_')).map((r) => r.data),
  };
}

export async function listJobs(
  store: Store,
  opts: { limit?: number; status?: JobStatus; active?: boolean } = {},
): Promise<Job[]> {
  const limit = opts.limit ?? 10;
  if (opts.status) return (await store.listJobsByStatus(opts.status, { limit })).items;
  const page = await store.listRecentJobs({ limit: opts.active ? 100 : limit });
  const jobs = opts.active ? page.items.filter((j) => !isTerminal(j.status)) : page.items;
  return jobs.slice(0, limit);
}

/** Jobs waiting for a four-eyes approval. */
export async function listPendingApprovals(store: Store, limit = 20): Promise<Job[]> {
  const pending = await store.listJobsByStatus('pending', { limit: 200 });
  return pending.items.filter((j) => j.requiresApproval && !j.approvedBy).slice(0, limit);
}
