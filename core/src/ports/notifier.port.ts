/**
 * Things worth telling people, sent to Teams (proactive message to the job's conversation), a Teams channel and
 * e-mail. A job's end is told in one line (`summary`, `error`): the job's card carries the report.
 */
export type NotificationEvent =
  | { kind: 'job_paused'; jobId: string; reason: string }
  | { kind: 'approval_needed'; jobId: string; requestedBy: string }
  | { kind: 'job_completed'; jobId: string; summary: string }
  | { kind: 'job_failed'; jobId: string; error: string }
  | { kind: 'job_cancelled'; jobId: string; summary: string }
  | { kind: 'cluster_unsafe'; clusterId: string; detail: string }
  | { kind: 'agent_offline'; agentId: string; detail: string }
  | HostUnhealthyEvent
  | WindowOutcomeEvent
  | RpoBreachedEvent
  | WindowReminderEvent;

/**
 * A protection group's newest replica is older than its RPO (the target unreachable, runs failing, paused by
 * nobody): told once per breach, to the conversation that created the group.
 */
export interface RpoBreachedEvent {
  kind: 'rpo_breached';
  group: string;
  /** When the replica a failover would use was taken (or the group was created): with the group, which breach. */
  since: string;
  detail: string;
  conversationId?: string;
}

/**
 * A server's hardware health turned critical (a part's Redfish rollup, a critical SEL entry, an expired iDRAC
 * certificate), as the `inventory.health` read found it. Raised on the change, not on every read.
 */
export interface HostUnhealthyEvent {
  kind: 'host_unhealthy';
  hostId: string;
  detail: string;
  /**
   * When the read that found it critical was taken: part of the event's identity, so a host that recovers and
   * fails again the same way is told again (the pipeline suppresses only the same event raised twice).
   */
  since: string;
  /** The host's cluster: its notification settings and its recent jobs' conversations. */
  clusterId?: string;
  /** The conversation that asked for the read, if a person did. */
  conversationId?: string;
}

/**
 * An occurrence starts in 24 h or 1 h: the conversation that created the window gets a card with *Skip this
 * one* and *Postpone*.
 */
export interface WindowReminderEvent {
  kind: 'window_reminder';
  windowId: string;
  /** The occurrence's UTC start (its key). */
  start: string;
  lead: '24h' | '1h';
  detail: string;
  conversationId?: string;
  clusterId?: string;
}

/**
 * A maintenance window's occurrence ended (or was skipped at fire time): the conversation that created the
 * window, and the channels of its first cluster, hear how it went and which hosts wait for the next one.
 */
export interface WindowOutcomeEvent {
  kind: 'window_outcome';
  windowId: string;
  /** The occurrence's UTC start: with the window id, which occurrence this is. */
  start: string;
  status: 'completed' | 'partial' | 'failed' | 'skipped' | 'cancelled';
  hostsLeft: string[];
  detail: string;
  conversationId?: string;
  clusterId?: string;
}

export type NotificationKind = NotificationEvent['kind'];

export interface Notifier {
  /** Never throws: a workflow must not fail because a message could not be sent. */
  notify(event: NotificationEvent): Promise<void>;
}
