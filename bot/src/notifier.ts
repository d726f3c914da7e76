import {
  type DeliveryContext,
  type NotificationChannel,
  PermanentDeliveryError,
} from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { Logger } from 'pino';
import { CardFactory } from 'botbuilder';
import { reminderCard } from './cards/window-reminder-card';
import { messageFor } from './notify/message-line';
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

/** The one-line texts live apart from botbuilder, so the e-mail and webhook channels load without it. */
export { messageFor, oneLine } from './notify/message-line';
