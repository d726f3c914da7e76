import type { Job } from '@rackops/core/jobs/job.schema';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { clip } from '@rackops/core/util/clip';
import { jobLabel } from '../cards/job-label';

const WINDOW_ICON = { completed: '✅', partial: '🟡', failed: '❌', skipped: '⏭️', cancelled: '🚫' } as const;

/** First line of a text, cut at a word boundary: a job's end is told in one line, its card has the rest. */
export const oneLine = (text: string): string => clip(text.split('\n')[0] ?? '', 300);

/** The event in one markdown line (chat message, webhook card title, e-mail subject and first line). */
export function messageFor(event: NotificationEvent, job: Job | undefined): string {
  if (event.kind === 'cluster_unsafe')
    return `🚨 Cluster **${event.clusterId}** is not safe: ${event.detail}`;
  if (event.kind === 'agent_offline')
    return `📴 Relay agent **${event.agentId}** is offline: ${event.detail}`;
  if (event.kind === 'host_unhealthy') return `🩺 Server **${event.hostId}** is critical: ${event.detail}`;
  if (event.kind === 'window_outcome') return `${WINDOW_ICON[event.status]} Maintenance ${event.detail}`;
  if (event.kind === 'rpo_breached')
    return `🔴 Protection group **${event.group}** is past its RPO: ${event.detail}`;
  if (event.kind === 'window_reminder') return `🗓️ Reminder: maintenance ${event.detail}`;
  const label = job ? jobLabel(job) : `job ${event.jobId}`;
  const name = job ? `${job.target.kind} ${label} (job ${job.id})` : label;
  switch (event.kind) {
    case 'job_paused':
      return `⏸️ Paused: ${name}. ${event.reason}. Resolve it in the job card.`;
    case 'approval_needed':
      return `🔐 Approval needed: ${name} was requested by ${event.requestedBy}. A different person with the **approver** role must approve it in the card.`;
    case 'job_completed':
      return `✅ ${label}: ${oneLine(event.summary) || 'completed'}`;
    case 'job_failed':
      return `❌ ${label} failed: ${oneLine(event.error) || 'see the job card'}`;
    case 'job_cancelled': {
      const mode = job?.cancelRequested ? ` (${job.cancelRequested})` : '';
      return `🚫 ${label} cancelled${mode}: ${oneLine(event.summary) || 'nothing more was started'}`;
    }
  }
}
