import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { DeliveryRecord } from '@rackops/core/notifications/delivery-log';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent, Notifier } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { Logger } from 'pino';
import type { AwsClients } from '../composition/clients';
import type { Settings } from '../composition/settings';
import { fetchBotSecret } from '../handlers/bot-secret';
import { emailChannel, type Mailer } from './email-channel';
import type { TeamsNotifications } from './teams-notifications';
import { type WebhookTargets, parseWebhookTargets, webhookChannel } from './webhook-channel';

/** Metric the dead-letter alarm watches (CloudWatch embedded metric format: a log line, no API call). */
export const DEAD_LETTER_METRIC = { namespace: 'RackOps', name: 'NotificationDeadLetters' } as const;

export function emitDeadLetterMetric(rec: DeliveryRecord, write: (line: string) => void = console.log): void {
  write(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: DEAD_LETTER_METRIC.namespace,
            Dimensions: [[]],
            Metrics: [{ Name: DEAD_LETTER_METRIC.name, Unit: 'Count' }],
          },
        ],
      },
      [DEAD_LETTER_METRIC.name]: 1,
      channel: rec.channel,
      kind: rec.kind,
    }),
  );
}

/** Link back to the chat in Teams: the app's personal chat (TEAMS_APP_ID), where the job's card lives. */
const teamsLink = (settings: NotifySettings) => () =>
  settings.TEAMS_APP_ID
    ? `https://teams.microsoft.com/l/app/${encodeURIComponent(settings.TEAMS_APP_ID)}`
    : undefined;

/** The settings notifications read (composition/functions.ts NOTIFY_SETTINGS). */
export type NotifySettings = Pick<
  Settings,
  'TEAMS_APP_ID' | 'NOTIFY_WEBHOOKS_SECRET_ARN' | 'NOTIFY_EMAIL_FROM'
>;

const WEBHOOK_TTL_MS = 5 * 60_000;

/** SES's client (≈ 60 KiB of SDK) is loaded by the first e-mail, not at every cold start. */
function lazySesMailer(clients: Pick<AwsClients, 'of'>): Mailer {
  let mailer: Promise<Mailer> | undefined;
  return {
    async send(msg) {
      mailer ??= import('./ses-mailer').then(({ sesMailer, SESv2Client }) =>
        sesMailer(clients.of('sesv2', SESv2Client)),
      );
      mailer.catch(() => {
        mailer = undefined;
      });
      return (await mailer).send(msg);
    },
  };
}

/**
 * Channel and e-mail in AWS, from the settings CDK sets: NOTIFY_WEBHOOKS_SECRET_ARN (the Workflows webhook
 * URLs, JSON `{default, clusters, kinds}`, re-read every five minutes) and NOTIFY_EMAIL_FROM (SES v2 sender).
 */
export function awsExtraChannels(
  clients: Pick<AwsClients, 'secretsManager' | 'of'>,
  settings: NotifySettings,
): NotificationChannel[] {
  const out: NotificationChannel[] = [];
  const link = teamsLink(settings);
  const webhooksArn = settings.NOTIFY_WEBHOOKS_SECRET_ARN;
  if (webhooksArn) {
    let cached: { at: number; targets: Promise<WebhookTargets> } | undefined;
    const targets = (): Promise<WebhookTargets> => {
      if (!cached || Date.now() - cached.at > WEBHOOK_TTL_MS) {
        const fetched = clients.secretsManager
          .send(new GetSecretValueCommand({ SecretId: webhooksArn }))
          .then((o) => parseWebhookTargets(JSON.parse(o.SecretString ?? '{}')));
        fetched.catch(() => {
          cached = undefined;
        });
        cached = { at: Date.now(), targets: fetched };
      }
      return cached.targets;
    };
    out.push(webhookChannel({ targets, link }));
  }
  if (settings.NOTIFY_EMAIL_FROM)
    out.push(
      emailChannel({
        mailer: lazySesMailer(clients),
        from: settings.NOTIFY_EMAIL_FROM,
        link,
      }),
    );
  return out;
}

export interface AwsNotifications {
  notifier: Notifier;
  /** Live job cards, updated after the workflow's writes (throttled per job, see LiveCards). */
  progress: JobProgress;
}

/**
 * The notifier and live cards of the workflow Lambdas (job-ops, execution-status): the same pipeline as the
 * bot's, with the conversation channel built from the bot secret. Built on first use and kept while the container
 * is warm; if the secret cannot be read the event is logged and the workflow goes on (a message never fails a
 * workflow).
 */
export function awsNotifications(deps: {
  store: Store;
  logger: Logger;
  clients: Pick<AwsClients, 'secretsManager' | 'of'>;
  settings: NotifySettings;
}): AwsNotifications {
  let built: Promise<TeamsNotifications> | undefined;
  // The Teams parts (botbuilder, the cards) are compiled while the bot secret is fetched, by the first event
  // that notifies: most events of claim, execution-status and result never do (bundling.ts `splitting`).
  const build = async () => {
    const [secret, { teamsNotifications }] = await Promise.all([
      fetchBotSecret(deps.clients.secretsManager),
      import('./teams-notifications'),
    ]);
    return teamsNotifications(secret, {
      ...deps,
      extraChannels: awsExtraChannels(deps.clients, deps.settings),
      onDeadLetter: (rec) => emitDeadLetterMetric(rec),
    });
  };
  const get = () => {
    built ??= build().catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    return built;
  };
  const unavailable = (what: string, err: unknown) =>
    deps.logger.error(
      { what, err: err instanceof Error ? err.message : String(err) },
      'notifier not available',
    );
  return {
    notifier: {
      async notify(event: NotificationEvent) {
        try {
          await (await get()).pipeline.notify(event);
        } catch (err) {
          unavailable(event.kind, err);
        }
      },
    },
    progress: {
      async changed(jobId: string) {
        try {
          await (await get()).live.changed(jobId);
        } catch (err) {
          unavailable('live card', err);
        }
      },
    },
  };
}

export const awsNotifier = (deps: Parameters<typeof awsNotifications>[0]): Notifier =>
  awsNotifications(deps).notifier;
