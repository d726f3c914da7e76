import type { AuditEvent } from '../jobs/job.schema';
import type { Page, PageRequest } from './page';

/** Audit events: written once, listed by day, by actor and by job. */
export interface AuditStore {
  recordAudit(event: Omit<AuditEvent, 'id' | 'at'> & { id?: string; at?: string }): Promise<AuditEvent>;
  listAuditByTime(day: string, opts?: PageRequest): Promise<Page<AuditEvent>>;
  listAuditByActor(actorId: string, opts?: PageRequest): Promise<Page<AuditEvent>>;
  listAuditByJob(jobId: string): Promise<AuditEvent[]>;
}
