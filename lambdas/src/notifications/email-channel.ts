import { readFile, stat } from 'node:fs/promises';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { eventContent, eventEmail } from '@rackops/bot/notify/event-content';
import { emailRecipients } from '@rackops/core/notifications/settings';
import {
  type DeliveryContext,
  type NotificationChannel,
  PermanentDeliveryError,
} from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { createTransport } from 'nodemailer';
import { z } from 'zod';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one message; throws PermanentDeliveryError when the address or sender is refused for good. */
export interface Mailer {
  send(msg: MailMessage): Promise<void>;
}

export const SmtpSettings = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the start (465); otherwise STARTTLS is required unless the host is loopback. */
  secure: z.boolean().default(false),
  user: z.string().max(200).optional(),
  password: z.string().max(500).optional(),
  from: z.email(),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

/** SMTP through nodemailer: on-prem relays and the local stack. A 5xx reply is permanent, 4xx is retried. */
export function smtpMailer(settings: SmtpSettings): Mailer {
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && !isLoopback(settings.host),
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(msg) {
      try {
        await transport.sendMail(msg);
      } catch (err) {
        const code = (err as { responseCode?: unknown }).responseCode;
        const text = `SMTP ${typeof code === 'number' ? code : 'error'}: ${(err as Error).message}`;
        if (typeof code === 'number' && code >= 500) throw new PermanentDeliveryError(text);
        throw new Error(text);
      }
    },
  };
}

/** SES errors that retrying cannot fix (unverified sender, rejected message, bad request). */
const SES_PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
]);

/** Amazon SES (v2 API) in AWS. */
export function sesMailer(client: SESv2Client): Mailer {
  return {
    async send(msg) {
      try {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: msg.from,
            Destination: { ToAddresses: [msg.to] },
            Content: {
              Simple: {
                Subject: { Data: msg.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: msg.text, Charset: 'UTF-8' },
                  Html: { Data: msg.html, Charset: 'UTF-8' },
                },
              },
            },
          }),
        );
      } catch (err) {
        const name = (err as Error).name;
        if (SES_PERMANENT.has(name)) throw new PermanentDeliveryError(`SES ${name}`);
        throw new Error(`SES ${name}`);
      }
    },
  };
}

/** E-mail to the addresses the settings list (`notify email add`), with the same facts as the card. */
export function emailChannel(opts: {
  mailer: Mailer;
  from: string;
  link?: (event: NotificationEvent, ctx: DeliveryContext) => string | undefined;
}): NotificationChannel {
  return {
    name: 'email',
    recipients: async (_event, ctx) => emailRecipients(ctx.settings),
    async send(event, recipient, ctx) {
      const mail = eventEmail(eventContent(event, ctx.job, opts.link?.(event, ctx)));
      await opts.mailer.send({ from: opts.from, to: recipient, ...mail });
    },
  };
}

/**
 * A secret kept in a local file (webhook URLs, SMTP password): refused unless only its owner can read it
 * (0600), like ssh does with keys. JSON inside.
 */
export async function readPrivateJsonFile(path: string): Promise<unknown> {
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0)
    throw new Error(`${path} must be readable by its owner only (chmod 600); it holds secrets`);
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}
