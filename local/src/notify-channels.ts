import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import { emailChannel, readPrivateJsonFile } from '@rackops/lambdas/notifications/email-channel';
import { SmtpSettings, smtpMailer } from '@rackops/lambdas/notifications/smtp-mailer';
import {
  type WebhookTargets,
  parseWebhookTargets,
  webhookChannel,
} from '@rackops/lambdas/notifications/webhook-channel';
import { z } from 'zod';

/**
 * The local stack's channel settings: the Teams Workflows webhook URLs and the SMTP relay. Both are secrets (a
 * webhook URL carries its signature, SMTP a password), so they come from a file only its owner can read (0600)
 * or from the environment, and are never printed: `describe` names what is configured, not where it points.
 */
export interface LocalNotifySettings {
  webhooks?: WebhookTargets;
  smtp?: SmtpSettings;
}

const FileShape = z.strictObject({ webhooks: z.unknown().optional(), smtp: z.unknown().optional() });

/**
 * `RACKOPS_NOTIFY_FILE` (default `<dataDir>/notify.json` when it exists): JSON `{webhooks: {default, clusters,
 * kinds}, smtp: {host, port, secure, user, password, from}}`. The environment adds to or overrides it:
 * `RACKOPS_NOTIFY_WEBHOOK_URL` (the default webhook), `RACKOPS_SMTP_HOST`, `RACKOPS_SMTP_PORT`,
 * `RACKOPS_SMTP_FROM`, `RACKOPS_SMTP_USER`, `RACKOPS_SMTP_PASSWORD`, `RACKOPS_SMTP_SECURE` (`true` for 465).
 */
export async function loadLocalNotifySettings(opts: {
  env?: Readonly<Record<string, string | undefined>>;
  dataDir?: string;
}): Promise<LocalNotifySettings> {
  const env = opts.env ?? process.env;
  const fallback = opts.dataDir ? join(opts.dataDir, 'notify.json') : undefined;
  const file = env.RACKOPS_NOTIFY_FILE || (fallback && existsSync(fallback) ? fallback : undefined);
  const raw = file ? FileShape.parse(await readPrivateJsonFile(file)) : {};
  const webhooks = raw.webhooks !== undefined ? { ...(raw.webhooks as object) } : {};
  if (env.RACKOPS_NOTIFY_WEBHOOK_URL) Object.assign(webhooks, { default: env.RACKOPS_NOTIFY_WEBHOOK_URL });
  const smtp: Record<string, unknown> = raw.smtp !== undefined ? { ...(raw.smtp as object) } : {};
  const fromEnv: [string, string, (v: string) => unknown][] = [
    ['RACKOPS_SMTP_HOST', 'host', String],
    ['RACKOPS_SMTP_PORT', 'port', Number],
    ['RACKOPS_SMTP_FROM', 'from', String],
    ['RACKOPS_SMTP_USER', 'user', String],
    ['RACKOPS_SMTP_PASSWORD', 'password', String],
    ['RACKOPS_SMTP_SECURE', 'secure', (v) => v === 'true'],
  ];
  for (const [name, key, conv] of fromEnv) {
    const v = env[name];
    if (v) smtp[key] = conv(v);
  }
  const out: LocalNotifySettings = {};
  // Loopback http is allowed here only: the local stack's stand-in webhook.
  if (Object.keys(webhooks).length) out.webhooks = parseWebhookTargets(webhooks, true);
  if (Object.keys(smtp).length) {
    const parsed = SmtpSettings.safeParse(smtp);
    if (!parsed.success)
      throw new Error(
        `SMTP settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    out.smtp = parsed.data;
  }
  return out;
}

/** The Teams channel and e-mail channels for these settings: the same adapters the AWS Lambdas use. */
export function localNotificationChannels(
  s: LocalNotifySettings,
  link?: () => string | undefined,
): NotificationChannel[] {
  const out: NotificationChannel[] = [];
  const webhooks = s.webhooks;
  if (webhooks) out.push(webhookChannel({ targets: async () => webhooks, ...(link ? { link } : {}) }));
  if (s.smtp)
    out.push(emailChannel({ mailer: smtpMailer(s.smtp), from: s.smtp.from, ...(link ? { link } : {}) }));
  return out;
}

/** What is configured, for the start banner: names and counts, never a URL or a password. */
export function describeNotifySettings(s: LocalNotifySettings): string {
  const parts = ['conversation'];
  if (s.webhooks) {
    const n =
      (s.webhooks.default ? 1 : 0) +
      Object.keys(s.webhooks.clusters).length +
      Object.keys(s.webhooks.kinds).length;
    parts.push(`Teams channel (${n} webhook${n === 1 ? '' : 's'})`);
  }
  if (s.smtp) parts.push(`e-mail via SMTP ${s.smtp.host}:${s.smtp.port}`);
  return parts.join(', ');
}
