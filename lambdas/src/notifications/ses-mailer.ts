import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PermanentDeliveryError } from '@rackops/core/ports/notification-channel.port';
import type { Mailer } from './email-channel';

/** The SES client class, for the caller that loads this module with `import()` (aws-notifier.ts). */
export { SESv2Client };

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
