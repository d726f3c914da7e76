/** Things worth telling people, sent to Teams (proactive message to the job's conversation) and e-mail. */
export type NotificationEvent =
  | { kind: 'job_paused'; jobId: string; reason: string }
  | { kind: 'approval_needed'; jobId: string; requestedBy: string }
  | { kind: 'job_completed'; jobId: string; summary: string }
  | { kind: 'job_failed'; jobId: string; error: string }
  | { kind: 'cluster_unsafe'; clusterId: string; detail: string };

export interface Notifier {
  notify(event: NotificationEvent): Promise<void>;
}
