import type { Clock } from '@rackops/core/ports/clock.port';
import type { Store } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';
import type { Logger } from 'pino';

/** Store record type of security events (listable by type, newest by sortKey = time). */
export const SECURITY_EVENT_TYPE = 'security-event';
/**
 * The log field the `RelayMessagesRefused` metric filter matches (infra): one log line per refusal, so the
 * alarm does not depend on the Store write succeeding.
 */
export const RELAY_MESSAGE_REFUSED = 'relay_message_refused';

const KEEP_DAYS = 90;

export interface SecurityEvent {
  event: typeof RELAY_MESSAGE_REFUSED;
  reason: string;
  detail: string;
  messageType?: string;
  commandId?: string;
  jobId?: string;
  kid?: string;
  at: string;
}

/**
 * Records a refused relay message: a warning log line carrying `securityEvent` (the alarm counts these) and a
 * Store record kept 90 days. Never the task token: it is a credential for the execution it names.
 */
export async function recordSecurityEvent(
  deps: { store: Store; log: Logger; clock: Clock },
  e: Omit<SecurityEvent, 'at' | 'event'>,
): Promise<SecurityEvent> {
  const now = deps.clock.now();
  const event: SecurityEvent = {
    event: RELAY_MESSAGE_REFUSED,
    ...e,
    detail: e.detail.slice(0, 1000),
    at: now.toISOString(),
  };
  deps.log.warn({ securityEvent: RELAY_MESSAGE_REFUSED, ...event }, 'relay message refused');
  await deps.store.putRecord<SecurityEvent>({
    type: SECURITY_EVENT_TYPE,
    id: newId(now.getTime()),
    sortKey: event.at,
    data: event,
    expiresAt: Math.floor(now.getTime() / 1000) + KEEP_DAYS * 86_400,
  });
  return event;
}
