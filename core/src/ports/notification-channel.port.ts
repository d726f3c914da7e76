import type { Job } from '../jobs/job.schema';
import type { ChannelName, EffectiveSettings } from '../notifications/settings';
import type { NotificationEvent } from './notifier.port';

/** What the pipeline knows about an event when it asks a channel: the job (for job events) and the settings. */
export interface DeliveryContext {
  job?: Job;
  clusterId?: string;
  settings: EffectiveSettings;
}

/**
 * One way to reach people. `recipients` names who gets this event (conversation ids, webhook names — never their
 * URLs —, e-mail addresses); `send` delivers to one and throws when it could not: a `PermanentDeliveryError` is not
 * retried, anything else is, with backoff.
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  recipients(event: NotificationEvent, ctx: DeliveryContext): Promise<string[]>;
  send(event: NotificationEvent, recipient: string, ctx: DeliveryContext): Promise<void>;
}

/** A failure that retrying cannot fix (bad address, 4xx from the endpoint, no such conversation). */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}
