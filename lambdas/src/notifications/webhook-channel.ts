import { eventCard, eventContent } from '@rackops/bot/notify/event-content';
import { NOTIFICATION_KINDS } from '@rackops/core/notifications/events';
import {
  type DeliveryContext,
  type NotificationChannel,
  PermanentDeliveryError,
} from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A Teams Workflows webhook URL: https, no credentials in it. Plain http only to loopback and only when the
 * runtime says so (the local stack and tests). The URL itself is a secret (it carries a signature): it is never
 * logged, never stored in the notification log and never part of an error text.
 */
function webhookUrl(allowLoopbackHttp: boolean) {
  return z
    .string()
    .max(2048)
    .refine((raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return false;
      }
      if (u.username || u.password) return false;
      if (u.protocol === 'https:') return true;
      return allowLoopbackHttp && u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
    }, 'a webhook URL must be https (no credentials in it)');
}

/** Where channel messages go: one webhook per cluster, per event kind, and a default. */
export function webhookTargetsSchema(allowLoopbackHttp = false) {
  const url = webhookUrl(allowLoopbackHttp);
  return z.strictObject({
    default: url.optional(),
    clusters: z.record(z.string().min(1).max(200), url).default({}),
    kinds: z.partialRecord(z.enum(NOTIFICATION_KINDS), url).default({}),
  });
}
export type WebhookTargets = z.infer<ReturnType<typeof webhookTargetsSchema>>;

/** Parse webhook settings; the error names the field, never echoes a URL. */
export function parseWebhookTargets(raw: unknown, allowLoopbackHttp = false): WebhookTargets {
  const parsed = webhookTargetsSchema(allowLoopbackHttp).safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `webhook settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The Workflows "post to a channel when a webhook request is received" payload: a message with one card. */
export function webhookPayload(card: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}

export interface WebhookChannelOptions {
  /** Read when needed (a secret may rotate): Secrets Manager in AWS, a 0600 file locally. */
  targets: () => Promise<WebhookTargets>;
  link?: (event: NotificationEvent, ctx: DeliveryContext) => string | undefined;
  timeoutMs?: number;
}

/**
 * A Teams channel through a Teams Workflows webhook (Office 365 connectors are retired). Recipients are the
 * webhooks' names (`cluster:<id>`, `kind:<kind>`, `default`): the cluster's webhook if it has one, else the event
 * kind's, else the default.
 */
export function webhookChannel(opts: WebhookChannelOptions): NotificationChannel {
  return {
    name: 'channel',
    async recipients(event, ctx) {
      const t = await opts.targets();
      if (ctx.clusterId && t.clusters[ctx.clusterId]) return [`cluster:${ctx.clusterId}`];
      if (t.kinds[event.kind]) return [`kind:${event.kind}`];
      return t.default ? ['default'] : [];
    },
    async send(event, recipient, ctx) {
      const t = await opts.targets();
      const [scope, name = ''] = recipient.includes(':') ? recipient.split(/:(.*)/s) : [recipient];
      const url =
        scope === 'cluster'
          ? t.clusters[name]
          : scope === 'kind'
            ? t.kinds[name as NotificationEvent['kind']]
            : t.default;
      if (!url) throw new PermanentDeliveryError(`no webhook named ${recipient}`);
      const card = eventCard(eventContent(event, ctx.job, opts.link?.(event, ctx)));
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(webhookPayload(card)),
          redirect: 'error',
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        // The fetch error may quote the URL: say only which webhook and what kind of failure.
        throw new Error(`webhook ${recipient} unreachable (${(err as Error).name})`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      const msg = `webhook ${recipient} answered ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
        throw new PermanentDeliveryError(msg);
      throw new Error(msg);
    },
  };
}
