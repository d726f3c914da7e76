import type { Actor, Job, JobStatus } from '../jobs/job.schema';
import type { JobEvent } from '../jobs/lifecycle';
import type { Page, PageRequest } from './page';

export type NewJob = Omit<Job, 'version' | 'status' | 'updatedAt' | 'startedAt' | 'completedAt'>;

/** Fields a workflow may update on a running job without a status change. */
export type JobFieldsUpdate = Partial<
  Pick<Job, 'details' | 'executionId' | 'cancelRequested' | 'stopReason' | 'summary' | 'approvedBy'>
>;

/** Jobs and their lifecycle: every status change is a conditional write on the expected status and version. */
export interface JobStore {
  createJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /** Apply a lifecycle event (see jobs/lifecycle.ts): conditional on status and version; writes an audit event. */
  transitionJob(id: string, event: JobEvent, expectedVersion?: number): Promise<Job>;
  /** Claim a due job (pending, scheduleAt <= now): exactly one caller wins; losers get undefined. */
  claimJob(id: string, actor: Actor, now: string): Promise<Job | undefined>;
  /** Update non-status fields; conditional on version when given. `details` keys are merged. */
  updateJob(id: string, fields: JobFieldsUpdate, expectedVersion?: number): Promise<Job>;
  listJobsByStatus(status: JobStatus, opts?: PageRequest & { scheduledBefore?: string }): Promise<Page<Job>>;
  listDueJobs(now: string, limit?: number): Promise<Job[]>;
  listJobsByTarget(targetKind: string, targetId: string, opts?: PageRequest): Promise<Page<Job>>;
  listRecentJobs(opts?: PageRequest): Promise<Page<Job>>;
}
