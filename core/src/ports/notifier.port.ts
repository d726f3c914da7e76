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
  | { kind: 'agent_offline'; agentId: string; detail: string };

export type NotificationKind = NotificationEvent['kind'];

export interface Notifier {
  /** Never throws: a workflow must not fail because a message could not be sent. */
  notify(event: NotificationEvent): Promise<void>;
}
