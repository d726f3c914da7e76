import type { Actor, AuditEvent, Job, JobStatus, JobStep, LogLine } from '../jobs/job.schema';
import type { JobEvent } from '../jobs/lifecycle';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** A generic record: inventory objects, windows, protection groups, settings, conversation refs, heartbeats... */
export interface StoredRecord<T = Record<string, unknown>> {
  type: string;
  id: string;
  /** Groups records under a parent (hosts under a cluster, VMs under a host); listable by parent. */
  parent?: string;
  /** Orders records of one type (e.g. a window's next start); listable by type in this order. */
  sortKey?: string;
  data: T;
  /** Content hash; writes with `ifHashDiffers` skip unchanged content. */
  hash?: string;
  /** Marked gone (vanished from the source), not deleted. */
  gone?: boolean;
  version: number;
  updatedAt: string;
  /** Epoch seconds after which the record is expired (DynamoDB TTL; filtered on read locally). */
  expiresAt?: number;
}

export type RecordInput<T> = Omit<StoredRecord<T>, 'version' | 'updatedAt'>;

export type NewJob = Omit<Job, 'version' | 'status' | 'updatedAt' | 'startedAt' | 'completedAt'>;

/** Fields a workflow may update on a running job without a status change. */
export type JobFieldsUpdate = Partial<
  Pick<Job, 'details' | 'executionId' | 'cancelRequested' | 'stopReason' | 'summary' | 'approvedBy'>
>;

/**
 * All RackOps state. One DynamoDB table in AWS, dynalite locally. Every status change is a conditional
 * write on the expected status and version; appends (steps, log lines, audit events) are separate items.
 */
export interface Store {
  /** Create the table and indexes if missing. Safe to run at every start. */
  migrate(): Promise<void>;

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

  /**
   * Upsert a step by key. Without `startedAt` the stored start stays (or is now, for a new step); other optional
   * fields absent are removed. One write, no read. Status is ordered: a step that ended (completed, failed,
   * skipped) is never put back to pending/running — that write is dropped and the stored step returned.
   */
  putStep(step: Omit<JobStep, 'updatedAt'>): Promise<JobStep>;
  listSteps(jobId: string): Promise<JobStep[]>;

  appendLog(line: Omit<LogLine, 'id' | 'at'> & { at?: string }): Promise<LogLine>;
  listLog(jobId: string, opts?: PageRequest & { after?: string }): Promise<Page<LogLine>>;

  recordAudit(event: Omit<AuditEvent, 'id' | 'at'> & { id?: string; at?: string }): Promise<AuditEvent>;
  listAuditByTime(day: string, opts?: PageRequest): Promise<Page<AuditEvent>>;
  listAuditByActor(actorId: string, opts?: PageRequest): Promise<Page<AuditEvent>>;
  listAuditByJob(jobId: string): Promise<AuditEvent[]>;

  /** Per-job items keyed by host (blockers, resolutions, approvals): one item per key. */
  putJobItem<T>(jobId: string, kind: JobItemKind, key: string, data: T): Promise<void>;
  getJobItem<T>(jobId: string, kind: JobItemKind, key: string): Promise<T | undefined>;
  listJobItems<T>(jobId: string, kind: JobItemKind): Promise<{ key: string; data: T }[]>;
  deleteJobItem(jobId: string, kind: JobItemKind, key: string): Promise<void>;

  /**
   * Write a record. With `ifHashDiffers`, a record whose stored hash equals `hash` (and is not gone) is not
   * written and 'unchanged' is returned. With `ifVersion`, the write is conditional on the stored version.
   */
  putRecord<T>(
    rec: RecordInput<T>,
    opts?: { ifHashDiffers?: boolean; ifVersion?: number; ifAbsent?: boolean },
  ): Promise<'written' | 'unchanged'>;
  getRecord<T>(type: string, id: string): Promise<StoredRecord<T> | undefined>;
  listRecordsByType<T>(
    type: string,
    opts?: PageRequest & { sortKeyBefore?: string; includeGone?: boolean },
  ): Promise<Page<StoredRecord<T>>>;
  listRecordsByParent<T>(
    type: string,
    parent: string,
    opts?: PageRequest & { includeGone?: boolean },
  ): Promise<Page<StoredRecord<T>>>;
  /** Keys and hashes only (cheap diffing for incremental sync). */
  listRecordHashes(type: string, parent: string): Promise<Map<string, { hash?: string; gone?: boolean }>>;
  markRecordGone(type: string, id: string): Promise<void>;
  deleteRecord(type: string, id: string): Promise<void>;
}

export type JobItemKind = 'blocker' | 'resolution' | 'approval' | 'host' | 'token' | 'note' | 'apply-now';
