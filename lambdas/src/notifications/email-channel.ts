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
