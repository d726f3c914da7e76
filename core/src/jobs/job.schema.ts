import { z } from 'zod';
import { StepKey, StepName } from './job-step';

export const JobType = z.enum([
  'rolling_cluster_update',
  'firmware_update',
  'power_operation',
  'virtual_media_mount',
  'virtual_media_unmount',
  'scp_export',
  'scp_backups',
  'scp_diff',
  'scp_restore',
  'inventory_sync',
  'replication_sync',
  'failover_test',
  'failover',
]);
export type JobType = z.infer<typeof JobType>;

export const JobStatus = z.enum(['pending', 'running', 'paused', 'completed', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s);

export const IsoTime = z.iso.datetime({ offset: true });

/** Who did something: a person (Teams/AAD id) or RackOps itself. */
export const Actor = z.object({
  kind: z.enum(['user', 'system']),
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  /**
   * Every id the person is known by (Teams ids, AAD object ids), `id` included: one person may message under
   * several, and four-eyes compares people, not ids (see same-person.ts).
   */
  ids: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** Set when the bot could not tie the ids to one person (not listed in `people`, no AAD object id). */
  unresolved: z.literal(true).optional(),
});
export type Actor = z.infer<typeof Actor>;
export const SYSTEM: Actor = { kind: 'system', id: 'rackops' };

export const JobTarget = z.object({
  kind: z.enum(['cluster', 'host', 'vcenter', 'ome', 'protection_group']),
  id: z.string().min(1).max(200),
});
export type JobTarget = z.infer<typeof JobTarget>;

export const PauseKind = z.enum(['blockers', 'approval', 'operator']);

/**
 * Why hosts of a running job must stop at their next safe step (the stop points before a flash: entering
 * maintenance, the reboot): `cancel <id> now`, or the end of the maintenance window that started the job. One
 * field, one mechanism.
 */
export const StopReason = z.object({
  kind: z.enum(['cancel_now', 'window_end']),
  at: IsoTime,
  detail: z.string().max(300).optional(),
});
export type StopReason = z.infer<typeof StopReason>;

export const Job = z.object({
  id: z.string().min(1),
  type: JobType,
  status: JobStatus,
  /** Incremented by every write to the job item; conditional writes compare it. */
  version: z.number().int().nonnegative(),
  target: JobTarget,
  /** Type-specific parameters; each workflow validates its own shape. */
  params: z.record(z.string(), z.unknown()).default({}),
  createdBy: Actor,
  createdAt: IsoTime,
  /** When the job may start; equals createdAt for immediate jobs. */
  scheduleAt: IsoTime,
  startedAt: IsoTime.optional(),
  completedAt: IsoTime.optional(),
  pausedReason: z.string().optional(),
  pauseKind: PauseKind.optional(),
  /** Short, bounded progress fields for cards; per-step detail lives in step items. */
  details: z.record(z.string(), z.unknown()).default({}),
  summary: z.string().optional(),
  error: z.string().optional(),
  executionId: z.string().optional(),
  cancelRequested: z.enum(['graceful', 'immediate']).optional(),
  /** Set once: hosts that have not begun flashing stop at their next checkpoint (see StopReason). */
  stopReason: StopReason.optional(),
  conversationId: z.string().optional(),
  windowId: z.string().optional(),
  requiresApproval: z.boolean().default(false),
  approvedBy: Actor.optional(),
  updatedAt: IsoTime,
});
export type Job = z.infer<typeof Job>;

export const StepStatus = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

/** A step in one of these has ended; a late `pending` or `running` for it is stale and never overwrites it. */
export const TERMINAL_STEP_STATUSES = [
  'completed',
  'failed',
  'skipped',
] as const satisfies readonly StepStatus[];
export const isTerminalStepStatus = (s: StepStatus): boolean =>
  (TERMINAL_STEP_STATUSES as readonly StepStatus[]).includes(s);

/** One item per workflow step, e.g. `preflight` or `host:ABC1234:enter-maintenance`. */
export const JobStep = z.object({
  jobId: z.string(),
  key: StepKey,
  name: StepName,
  order: z.number().int().nonnegative(),
  status: StepStatus,
  hostId: z.string().optional(),
  startedAt: IsoTime.optional(),
  completedAt: IsoTime.optional(),
  message: z.string().max(2000).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  updatedAt: IsoTime,
});
export type JobStep = z.infer<typeof JobStep>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export const LogLine = z.object({
  jobId: z.string(),
  id: z.string(),
  at: IsoTime,
  level: LogLevel,
  message: z.string().max(4000),
  hostId: z.string().optional(),
});
export type LogLine = z.infer<typeof LogLine>;

export const AuditEvent = z.object({
  id: z.string(),
  at: IsoTime,
  actor: Actor,
  action: z.string().min(1).max(100),
  jobId: z.string().optional(),
  target: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
