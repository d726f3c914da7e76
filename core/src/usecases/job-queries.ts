import type { HostResolution } from '../blockers/resolution.schema';
import { JobReport, REPORT_NOTE_KEY } from '../jobs/job-report.schema';
import { type Job, type JobStatus, type JobStep, type LogLine, isTerminal } from '../jobs/job.schema';
import type { JobItemStore } from '../ports/job-item-store.port';
import type { JobStore } from '../ports/job-store.port';
import type { StepLogStore } from '../ports/step-log-store.port';
import { NotFoundError } from '../util/errors';
import { HostItem } from '../workflows/ops/state.schema';
import { type HostBlockers, loadBlockers } from './stored-blockers';

/** One host of a firmware job as its progress card shows it (from the job's host items). */
export interface JobHostView {
  hostId: string;
  name?: string;
  phase: HostItem['phase'];
  state?: string;
  /** Packages planned for it (0 until the preflight has planned). */
  packages: number;
  batchIndex?: number;
}

export interface JobView {
  job: Job;
  steps: JobStep[];
  /** The last few console lines, oldest first. */
  recentLog: LogLine[];
  blockers: HostBlockers[];
  resolutions: HostResolution[];
  /** Firmware jobs: every host the job covers, planned or not. */
  hosts: JobHostView[];
  /** A finished job's report (written by the workflow's finish; absent for jobs that ended without it). */
  report?: JobReport;
}

const hostView = (raw: unknown): JobHostView | undefined => {
  const h = HostItem.safeParse(raw);
  if (!h.success) return undefined;
  const { hostId, name, phase, state, packages, batchIndex } = h.data;
  return {
    hostId,
    phase,
    packages: packages?.length ?? 0,
    ...(name ? { name } : {}),
    ...(state ? { state } : {}),
    ...(batchIndex !== undefined ? { batchIndex } : {}),
  };
};

/** `known`: the job as the caller just read it, so the view does not read it a second time. */
export async function getJobView(
  store: JobStore & StepLogStore & JobItemStore,
  jobId: string,
  logLines = 5,
  known?: Job,
): Promise<JobView> {
  const job = known ?? (await store.getJob(jobId));
  if (!job) throw new NotFoundError('job', jobId);
  const [steps, blockers, resolutionItems, hostItems, rawReport] = await Promise.all([
    store.listSteps(jobId),
    job.status === 'paused' ? loadBlockers(store, jobId) : Promise.resolve([]),
    store.listJobItems<HostResolution>(jobId, 'resolution'),
    store.listJobItems<unknown>(jobId, 'host'),
    isTerminal(job.status)
      ? store.getJobItem<unknown>(jobId, 'note', REPORT_NOTE_KEY)
      : Promise.resolve(undefined),
  ]);
  const report = JobReport.safeParse(rawReport);
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
    hosts: hostItems
      .map((i) => hostView(i.data))
      .filter((h): h is JobHostView => h !== undefined)
      .sort((a, b) => a.hostId.localeCompare(b.hostId)),
    ...(report.success ? { report: report.data } : {}),
  };
}

export async function listJobs(
  store: JobStore,
  opts: { limit?: number; status?: JobStatus; active?: boolean } = {},
): Promise<Job[]> {
  const limit = opts.limit ?? 10;
  if (opts.status) return (await store.listJobsByStatus(opts.status, { limit })).items;
  const page = await store.listRecentJobs({ limit: opts.active ? 100 : limit });
  const jobs = opts.active ? page.items.filter((j) => !isTerminal(j.status)) : page.items;
  return jobs.slice(0, limit);
}

/** Jobs waiting for a four-eyes approval. */
export async function listPendingApprovals(store: JobStore, limit = 20): Promise<Job[]> {
  const pending = await store.listJobsByStatus('pending', { limit: 200 });
  return pending.items.filter((j) => j.requiresApproval && !j.approvedBy).slice(0, limit);
}
