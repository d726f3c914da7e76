import type { JobStep, LogLine } from '../jobs/job.schema';
import type { Page, PageRequest } from './page';

/** A job's steps (one item per step key) and its append-only console log. */
export interface StepLogStore {
  /**
   * Upsert a step by key. Without `startedAt` the stored start stays (or is now, for a new step); other optional
   * fields absent are removed. One write, no read. Status is ordered: a step that ended (completed, failed,
   * skipped) is never put back to pending/running — that write is dropped and the stored step returned.
   */
  putStep(step: Omit<JobStep, 'updatedAt'>): Promise<JobStep>;
  listSteps(jobId: string): Promise<JobStep[]>;

  appendLog(line: Omit<LogLine, 'id' | 'at'> & { at?: string }): Promise<LogLine>;
  listLog(jobId: string, opts?: PageRequest & { after?: string }): Promise<Page<LogLine>>;
}
