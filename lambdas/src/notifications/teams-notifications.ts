import { BotConfig } from '@rackops/bot/config';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import { JobCards } from '@rackops/bot/job-cards';
import { LiveCards } from '@rackops/bot/live-cards';
import { ConversationChannel } from '@rackops/bot/notifier';
import type { DeliveryRecord } from '@rackops/core/notifications/delivery-log';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { Store } from '@rackops/core/ports/store.port';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Logger } from 'pino';
import type { BotSecret } from '../handlers/bot-secret';

/**
 * The Teams side of the workflow Lambdas' notifications: botbuilder, the cards and the pipeline. aws-notifier.ts
 * loads this module with `import()` when an event first notifies, so it is a chunk of its own in the bundles.
 */

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

/** The notification pipeline and live cards, as aws-notifier.ts `awsNotifications` uses them. */
export interface TeamsNotifications {
  pipeline: NotificationPipeline;
  live: LiveCards;
}

export function teamsNotifications(
  secret: BotSecret,
  deps: {
    store: Store;
    logger: Logger;
    extraChannels: NotificationChannel[];
    onDeadLetter: (rec: DeliveryRecord) => void;
  },
): TeamsNotifications {
  const parts = botPartsFromSecret(secret, deps);
  const pipeline = new NotificationPipeline({
    store: deps.store,
    clock: systemClock,
    logger: deps.logger,
    channels: [parts.conversation, ...deps.extraChannels],
    onDeadLetter: deps.onDeadLetter,
  });
  const live = new LiveCards({
    store: deps.store,
    jobCards: parts.jobCards,
    clock: systemClock,
    logger: deps.logger,
    minIntervalMs: parts.config.progressMinIntervalMs,
  });
  return { pipeline, live };
}
