export type JobItemKind =
  | 'blocker'
  | 'resolution'
  | 'approval'
  | 'host'
  | 'token'
  | 'note'
  | 'apply-now'
  /** A planned host's firmware (packages, expected versions): kept out of the workflow state. */
  | 'plan';

/** Per-job items keyed by host (blockers, resolutions, approvals): one item per key. */
export interface JobItemStore {
  putJobItem<T>(jobId: string, kind: JobItemKind, key: string, data: T): Promise<void>;
  getJobItem<T>(jobId: string, kind: JobItemKind, key: string): Promise<T | undefined>;
  listJobItems<T>(jobId: string, kind: JobItemKind): Promise<{ key: string; data: T }[]>;
  deleteJobItem(jobId: string, kind: JobItemKind, key: string): Promise<void>;
}
