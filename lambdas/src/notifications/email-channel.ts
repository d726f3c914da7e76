import { readFile, stat } from 'node:fs/promises';
import { eventContent, eventEmail } from '@rackops/bot/notify/event-content';
import { emailRecipients } from '@rackops/core/notifications/settings';
import type { DeliveryContext, NotificationChannel } from '@rackops/core/ports/notification-channel.port';
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
