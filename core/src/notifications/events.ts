import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NotificationEvent, NotificationKind } from '../ports/notifier.port';

export const NOTIFICATION_KINDS = [
  'job_paused',
  'approval_needed',
  'job_completed',
  'job_failed',
  'job_cancelled',
  'cluster_unsafe',
  'agent_offline',
  'host_unhealthy',
  'window_outcome',
  'rpo_breached',
  'window_reminder',
] as const satisfies readonly NotificationKind[];

export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);

const text = z.string().max(4000);
const id = z.string().min(1).max(200);

/** The events as data (they cross process boundaries in the notification log and dead letters). */
export const NotificationEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('job_paused'), jobId: id, reason: text }),
  z.object({ kind: z.literal('approval_needed'), jobId: id, requestedBy: text }),
  z.object({ kind: z.literal('job_completed'), jobId: id, summary: text }),
  z.object({ kind: z.literal('job_failed'), jobId: id, error: text }),
  z.object({ kind: z.literal('job_cancelled'), jobId: id, summary: text }),
  z.object({ kind: z.literal('cluster_unsafe'), clusterId: id, detail: text }),
  z.object({ kind: z.literal('agent_offline'), agentId: id, detail: text }),
  z.object({
    kind: z.literal('host_unhealthy'),
    hostId: id,
    detail: text,
    since: id,
    clusterId: id.optional(),
    conversationId: z.string().max(500).optional(),
  }),
  z.object({
    kind: z.literal('window_outcome'),
    windowId: id,
    start: id,
    status: z.enum(['completed', 'partial', 'failed', 'skipped', 'cancelled']),
    hostsLeft: z.array(id).max(500),
    detail: text,
    conversationId: z.string().max(500).optional(),
    clusterId: id.optional(),
  }),
  z.object({
    kind: z.literal('rpo_breached'),
    group: id,
    since: id,
    detail: text,
    conversationId: z.string().max(500).optional(),
  }),
  z.object({
    kind: z.literal('window_reminder'),
    windowId: id,
    start: id,
    lead: z.enum(['24h', '1h']),
    detail: text,
    conversationId: z.string().max(500).optional(),
    clusterId: id.optional(),
  }),
]);

/** The job an event is about, if any. */
export const jobIdOf = (e: NotificationEvent): string | undefined => ('jobId' in e ? e.jobId : undefined);

/** What the event is about, as one string: `job:<id>`, `cluster:<id>`, `agent:<id>`, `window:<id>`, `host:<id>`. */
export function subjectOf(e: NotificationEvent): string {
  if ('jobId' in e) return `job:${e.jobId}`;
  if (e.kind === 'cluster_unsafe') return `cluster:${e.clusterId}`;
  if (e.kind === 'window_outcome' || e.kind === 'window_reminder') return `window:${e.windowId}`;
  if (e.kind === 'rpo_breached') return `protection-group:${e.group}`;
  if (e.kind === 'host_unhealthy') return `host:${e.hostId}`;
  return `agent:${e.agentId}`;
}

/**
 * The event's identity: the same event raised twice (a Lambda retried by Step Functions, an execution-status
 * safety net racing the workflow's own report) has the same key, so each channel delivers it once. The text is
 * part of it: a job paused again later for another reason is a new event.
 */
export function eventKey(e: NotificationEvent): string {
  const { kind, ...rest } = e;
  const body = createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 16);
  return `${kind}:${subjectOf(e)}:${body}`;
}

/** Key of one delivery: this event, on this channel, to this recipient. Safe as a Store id. */
export function deliveryKey(event: NotificationEvent, channel: string, recipient: string): string {
  return createHash('sha256')
    .update(`${eventKey(event)}\n${channel}\n${recipient}`)
    .digest('base64url')
    .slice(0, 32);
}
