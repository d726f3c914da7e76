import type { Job } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import {
  type DeliveryContext,
  type NotificationChannel,
  PermanentDeliveryError,
} from '../ports/notification-channel.port';
import type { NotificationEvent, Notifier } from '../ports/notifier.port';
import type { Store } from '../ports/store.port';
import type { Logger } from '../ports/logger.port';
import { type DeliveryRecord, claimDelivery, recordDeadLetter, recordDelivery } from './delivery-log';
import { deliveryKey, eventKey, jobIdOf, subjectOf } from './events';
import { isEnabled, loadEffective } from './settings';

/** What the pipeline logs with (core's logger port, less debug). */
export type PipelineLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface RetryPolicy {
  /** Tries in all, the first included. @default 4 */
  attempts: number;
  /** Wait before the first retry; doubles each time, with up to 25 % jitter. @default 250 */
  baseDelayMs: number;
  /** @default 4000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

export interface PipelineDeps {
  store: Store;
  clock: Clock;
  channels: readonly NotificationChannel[];
  logger: PipelineLogger;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every dead letter (AWS: a metric the dead-letter alarm watches). */
  onDeadLetter?: (rec: DeliveryRecord) => void;
}

export interface DeliveryOutcome {
  delivered: number;
  duplicates: number;
  dead: number;
}

/** Backoff before retry `n` (1-based): base·2^(n-1), capped, with jitter so retries of many events spread. */
export function backoffMs(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(raw * (1 - 0.25 * random()));
}

/** Error text as stored and logged: clipped, and any URL in it replaced (webhook URLs are secrets). */
export function safeErrorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]').slice(0, 400);
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

/**
 * The one notification pipeline (both runtimes): for each channel the settings enable for the event's kind, each
 * recipient gets the event once. The delivery record (id = idempotency key) is claimed before sending, so a
 * duplicate event is suppressed; sends are retried with backoff; a delivery that keeps failing is recorded as a
 * dead letter and reported. Nothing is thrown to the caller.
 */
export class NotificationPipeline implements Notifier {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: PipelineDeps) {
    this.retry = { ...DEFAULT_RETRY, ...deps.retry };
    this.sleep = deps.sleep ?? defaultSleep;
  }

  async notify(event: NotificationEvent): Promise<void> {
    await this.deliver(event).catch((err: unknown) =>
      this.deps.logger.error({ kind: event.kind, err: safeErrorText(err) }, 'notification not delivered'),
    );
  }

  /** Deliver to every enabled channel and recipient; the counts say what happened. */
  async deliver(event: NotificationEvent): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { delivered: 0, duplicates: 0, dead: 0 };
    const ctx = await this.contextOf(event);
    await Promise.all(
      this.deps.channels
        .filter((c) => isEnabled(ctx.settings, c.name, event.kind))
        .map(async (channel) => {
          let recipients: string[];
          try {
            recipients = await channel.recipients(event, ctx);
          } catch (err) {
            this.deps.logger.warn({ channel: channel.name, err: safeErrorText(err) }, 'no recipients');
            return;
          }
          for (const recipient of new Set(recipients)) {
            const result = await this.deliverOne(event, channel, recipient, ctx);
            outcome[result] += 1;
          }
        }),
    );
    return outcome;
  }

  private async contextOf(event: NotificationEvent): Promise<DeliveryContext> {
    const jobId = jobIdOf(event);
    const job: Job | undefined = jobId ? await this.deps.store.getJob(jobId) : undefined;
    const clusterId =
      event.kind === 'cluster_unsafe' ||
      event.kind === 'window_outcome' ||
      event.kind === 'host_unhealthy' ||
      event.kind === 'window_reminder'
        ? event.clusterId
        : job?.target.kind === 'cluster'
          ? job.target.id
          : undefined;
    const settings = await loadEffective(this.deps.store, clusterId);
    return { ...(job ? { job } : {}), ...(clusterId ? { clusterId } : {}), settings };
  }

  private async deliverOne(
    event: NotificationEvent,
    channel: NotificationChannel,
    recipient: string,
    ctx: DeliveryContext,
  ): Promise<'delivered' | 'duplicates' | 'dead'> {
    const { store, clock, logger } = this.deps;
    const id = deliveryKey(event, channel.name, recipient);
    const rec: DeliveryRecord = {
      eventKey: eventKey(event).slice(0, 300),
      kind: event.kind,
      subject: subjectOf(event).slice(0, 250),
      channel: channel.name,
      recipient: recipient.slice(0, 300),
      attempts: 0,
      status: 'sending',
      at: clock.now().toISOString(),
    };
    if (!(await claimDelivery(store, id, rec, clock.now().getTime()))) return 'duplicates';
    let error = '';
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      rec.attempts = attempt;
      try {
        await channel.send(event, recipient, ctx);
        const done = { ...rec, status: 'delivered' as const, deliveredAt: clock.now().toISOString() };
        delete done.error;
        await recordDelivery(store, id, done, clock.now().getTime());
        return 'delivered';
      } catch (err) {
        error = safeErrorText(err);
        logger.warn(
          { channel: channel.name, kind: event.kind, attempt, err: error },
          'delivery attempt failed',
        );
        if (err instanceof PermanentDeliveryError) break;
        if (attempt < this.retry.attempts) await this.sleep(backoffMs(this.retry, attempt));
      }
    }
    const dead: DeliveryRecord = { ...rec, status: 'dead', error };
    const now = clock.now().getTime();
    await recordDelivery(store, id, dead, now);
    await recordDeadLetter(store, id, dead, event, now);
    logger.error(
      { channel: channel.name, kind: event.kind, subject: rec.subject, attempts: rec.attempts, err: error },
      'notification dead letter',
    );
    this.deps.onDeadLetter?.(dead);
    return 'dead';
  }
}
