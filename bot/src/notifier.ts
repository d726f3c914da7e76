import type { Job } from '@rackops/core/jobs/job.schema';
import type { NotificationEvent, Notifier } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { Logger } from 'pino';
import type { ConversationGateway } from './gateway';
import type { JobCards } from './job-cards';
import { clip } from '@rackops/core/util/clip';
import { jobLabel } from './cards/job-label';
import { loadConversation } from './records';

/**
 * Proactive messages to the conversation that started a job: paused for blockers, approval needed, completed,
 * failed, cancelled (each end in one line: the re-rendered card carries the report); cluster unsafe goes to the conversations of the cluster's jobs. The job card is re-rendered at the same
 * time so the card and the message agree. Failures are logged, never thrown: a workflow must not fail because
 * a chat message could not be delivered.
 */
export class BotNotifier implements Notifier {
  constructor(
    private readonly deps: { store: Store; gateway: ConversationGateway; jobCards: JobCards; logger: Logger },
  ) {}

  async notify(event: NotificationEvent): Promise<void> {
    try {
      await this.deliver(event);
    } catch (err) {
      this.deps.logger.error({ err, event: event.kind }, 'notification not delivered');
    }
  }

  private async deliver(event: NotificationEvent): Promise<void> {
    if (event.kind === 'cluster_unsafe') {
      const jobs = (await this.deps.store.listJobsByTarget('cluster', event.clusterId, { limit: 5 })).items;
      const conversations = new Set(jobs.map((j) => j.conversationId).filter((c): c is string => !!c));
      for (const c of conversations)
        await this.say(c, `🚨 Cluster **${event.clusterId}** is not safe: ${event.detail}`);
      return;
    }
    const job = await this.deps.store.getJob(event.jobId);
    if (!job) return;
    await this.deps.jobCards
      .updateNow(job.id)
      .catch((err) => this.deps.logger.warn({ err }, 'card update failed'));
    if (!job.conversationId) return;
    await this.say(job.conversationId, messageFor(event, job));
  }

  private async say(conversationId: string, text: string): Promise<void> {
    const ref = await loadConversation(this.deps.store, conversationId);
    if (!ref) {
      this.deps.logger.warn({ conversationId }, 'no stored conversation reference');
      return;
    }
    await this.deps.gateway.send(ref, { type: 'message', text, textFormat: 'markdown' });
  }
}

/** First line of a text, cut at a word boundary: a job's end is told in one line, its card has the rest. */
const oneLine = (text: string): string => clip(text.split('\n')[0] ?? '', 300);

function messageFor(event: Exclude<NotificationEvent, { kind: 'cluster_unsafe' }>, job: Job): string {
  const label = jobLabel(job);
  const name = `${job.target.kind} ${label} (job ${job.id})`;
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
      const mode = job.cancelRequested ? ` (${job.cancelRequested})` : '';
      return `🚫 ${label} cancelled${mode}: ${oneLine(event.summary) || 'nothing more was started'}`;
    }
  }
}
