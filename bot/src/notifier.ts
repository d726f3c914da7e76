import type { Job } from '@rackops/core/jobs/job.schema';
import {
  type DeliveryContext,
  type NotificationChannel,
  PermanentDeliveryError,
} from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import { clip } from '@rackops/core/util/clip';
import type { Logger } from 'pino';
import { CardFactory } from 'botbuilder';
import { jobLabel } from './cards/job-label';
import { reminderCard } from './cards/window-reminder-card';
import type { ConversationGateway } from './gateway';
import type { JobCards } from './job-cards';
import { loadConversation } from './records';

/** An HTTP status that retrying will not fix (the conversation is gone, the bot was removed): not 408/429. */
export function isPermanentStatus(status: unknown): boolean {
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * The Teams conversation that started a job (proactive message through the Bot Connector): paused for blockers,
 * approval needed, completed, failed, cancelled — each in one line, with the job's card re-rendered and updated
 * in place at the same time so card and message agree. Cluster unsafe goes to the conversations of the cluster's
 * recent jobs, a window's outcome to the conversation that created the window. Throws when the message could not be sent: the pipeline retries and dead-letters.
 */
export class ConversationChannel implements NotificationChannel {
  readonly name = 'conversation' as const;

  constructor(
    private readonly deps: {
      store: Store;
      gateway: ConversationGateway;
      jobCards: JobCards;
      logger: Logger;
      /** Signs the reminder card's buttons for the conversation it goes to. */
      cardSecret: string;
    },
  ) {}

  async recipients(event: NotificationEvent, ctx: DeliveryContext): Promise<string[]> {
    if (ctx.job) return ctx.job.conversationId ? [ctx.job.conversationId] : [];
    // A window's outcome goes to the conversation that created the window.
    if (event.kind === 'window_outcome' || event.kind === 'rpo_breached' || event.kind === 'window_reminder')
      return event.conversationId ? [event.conversationId] : [];
    // A host turning critical: whoever asked for the read, and the conversations of its cluster's recent jobs.
    if (event.kind === 'host_unhealthy') {
      const jobs = event.clusterId
        ? (await this.deps.store.listJobsByTarget('cluster', event.clusterId, { limit: 5 })).items
        : [];
      return [
        ...new Set(
          [event.conversationId, ...jobs.map((j) => j.conversationId)].filter((c): c is string => !!c),
        ),
      ];
    }
    if (event.kind !== 'cluster_unsafe') return [];
    const jobs = (await this.deps.store.listJobsByTarget('cluster', event.clusterId, { limit: 5 })).items;
    return [...new Set(jobs.map((j) => j.conversationId).filter((c): c is string => !!c))];
  }

  async send(event: NotificationEvent, recipient: string, ctx: DeliveryContext): Promise<void> {
    const job = ctx.job;
    if (job)
      await this.deps.jobCards
        .updateNow(job.id)
        .catch((err) => this.deps.logger.warn({ err, jobId: job.id }, 'card update failed'));
    const ref = await loadConversation(this.deps.store, recipient);
    if (!ref) throw new PermanentDeliveryError('no stored conversation reference');
    try {
      await this.deps.gateway.send(ref, {
        type: 'message',
        text: messageFor(event, job),
        textFormat: 'markdown',
        // A reminder carries its Skip / Postpone buttons, signed for this conversation.
        ...(event.kind === 'window_reminder'
          ? {
              attachments: [
                CardFactory.adaptiveCard(
                  reminderCard(event, { secret: this.deps.cardSecret, conversationId: recipient }),
                ),
              ],
            }
          : {}),
      });
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (isPermanentStatus(status))
        throw new PermanentDeliveryError(`Bot Connector answered ${String(status)}`);
      throw err;
    }
  }
}

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
