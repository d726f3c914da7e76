import { SESv2Client } from '@aws-sdk/client-sesv2';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { BotConfig } from '@rackops/bot/config';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import { JobCards } from '@rackops/bot/job-cards';
import { LiveCards } from '@rackops/bot/live-cards';
import { ConversationChannel } from '@rackops/bot/notifier';
import type { DeliveryRecord } from '@rackops/core/notifications/delivery-log';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent, Notifier } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Logger } from 'pino';
import type { AwsClients } from '../composition/clients';
import type { Settings } from '../composition/settings';
import { type BotSecret, fetchBotSecret } from '../handlers/bot-secret';
import { emailChannel, sesMailer } from './email-channel';
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
        mailer: sesMailer(clients.of('sesv2', SESv2Client)),
        from: settings.NOTIFY_EMAIL_FROM,
        link,
      }),
    );
  return out;
}

/** The bot's parts outside the bot Lambda: proactive sends and card updates with the app's credentials from the bot secret. */
export function botPartsFromSecret(
  secret: BotSecret,
  deps: { store: Store; logger: Logger },
): { jobCards: JobCards; conversation: ConversationChannel; config: BotConfig } {
  const auth =
    secret.connectorAuth === 'none'
      ? new ConfigurationBotFrameworkAuthentication({})
      : new ConfigurationBotFrameworkAuthentication({
          MicrosoftAppId: secret.microsoftAppId,
          MicrosoftAppPassword: secret.microsoftAppPassword,
          MicrosoftAppType: secret.microsoftAppType,
          ...(secret.microsoftAppTenantId ? { MicrosoftAppTenantId: secret.microsoftAppTenantId } : {}),
        });
  const gateway = cloudAdapterGateway(
    new CloudAdapter(auth),
    secret.connectorAuth === 'none' ? '' : secret.microsoftAppId,
  );
  const config = BotConfig.parse({ ...secret.config, appId: secret.microsoftAppId });
  const jobCards = new JobCards({
    store: deps.store,
    config,
    clock: systemClock,
    logger: deps.logger,
    gateway,
  });
  const conversation = new ConversationChannel({
    store: deps.store,
    gateway,
    jobCards,
    logger: deps.logger,
    cardSecret: config.cardSecret,
  });
  return { jobCards, conversation, config };
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
  let built: Promise<{ pipeline: NotificationPipeline; live: LiveCards }> | undefined;
  const build = async () => {
    const secret = await fetchBotSecret(deps.clients.secretsManager);
    const parts = botPartsFromSecret(secret, deps);
    const pipeline = new NotificationPipeline({
      store: deps.store,
      clock: systemClock,
      logger: deps.logger,
      channels: [parts.conversation, ...awsExtraChannels(deps.clients, deps.settings)],
      onDeadLetter: (rec) => emitDeadLetterMetric(rec),
    });
    const live = new LiveCards({
      store: deps.store,
      jobCards: parts.jobCards,
      clock: systemClock,
      logger: deps.logger,
      minIntervalMs: parts.config.progressMinIntervalMs,
    });
    return { pipeline, live };
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
