import type { AuditStore } from './audit-store.port';
import type { JobItemStore } from './job-item-store.port';
import type { JobStore } from './job-store.port';
import type { RecordStore } from './record-store.port';
import type { StepLogStore } from './step-log-store.port';

export type { AuditStore } from './audit-store.port';
export type { JobItemKind, JobItemStore } from './job-item-store.port';
export type { JobFieldsUpdate, JobStore, NewJob } from './job-store.port';
export type { Page, PageRequest } from './page';
export type { RecordInput, RecordReader, RecordStore, StoredRecord } from './record-store.port';
export type { StepLogStore } from './step-log-store.port';

/**
 * All RackOps state. One DynamoDB table in AWS, dynalite locally. Every status change is a conditional
 * write on the expected status and version; appends (steps, log lines, audit events) are separate items.
 * Use-cases depend on the narrow ports it is made of (jobs, steps and log, audit, job items, records); only
 * the composition roots hold the whole Store.
 */
export interface Store extends JobStore, StepLogStore, AuditStore, JobItemStore, RecordStore {
  /** Create the table and indexes if missing. Safe to run at every start. */
  migrate(): Promise<void>;
}
