import { PermanentDeliveryError } from '@rackops/core/ports/notification-channel.port';
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import type { Mailer } from './email-channel';

/*
 * SMTP is for on-prem relays and the local stack; the Lambdas send through SES (email-channel.ts sesMailer).
 * Kept apart so the Lambda bundles do not carry nodemailer.
 */

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
