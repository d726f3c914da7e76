import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { type Bot, type CreateBotOptions, createBot } from '@rackops/bot/app';
import { type BotConfigInput, clusterListFromEnv } from '@rackops/bot/config';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import { ConnectorReusingAuthentication } from '@rackops/bot/connector-reuse';
import { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import { type ChatServer, startChatServer } from './chat-server';

export interface LocalBotOptions {
  store: Store;
  orchestrator: Orchestrator;
  scheduler: Scheduler;
  startJob: CreateBotOptions['startJob'];
  logger: Logger;
  config?: Partial<BotConfigInput>;
  queries?: CreateBotOptions['queries'];
  port?: number;
  /** How often running jobs' cards are refreshed from the Store (each update is still throttled). @default 1000 */
  refreshEveryMs?: number;
  /** Extra facts `/healthz` reports (see ChatServerOptions.health). */
  health?: Record<string, string>;
  /** Teams channel and e-mail (see notify-channels.ts), beside the conversation; given the chat page's URL. */
  notificationChannels?: (chatUrl: () => string | undefined) => CreateBotOptions['notificationChannels'];
}

export interface LocalBot {
  bot: Bot;
  chat: ChatServer;
  close(): Promise<void>;
}

/**
 * Local roles: `local-operator` (the page's default user) is operator and admin-free; `local-approver` approves.
 * Anyone else may read. Open a second tab with `?user=local-approver` to see four-eyes work.
 */
export const LOCAL_BOT_CONFIG: BotConfigInput = {
  roles: { viewer: [], operator: ['local-operator'], approver: ['local-approver'], admin: ['local-admin'] },
  // Web Chat carries no AAD object id: four-eyes can tell these people apart only because they are listed.
  people: [
    { name: 'local-operator', teamsIds: ['local-operator'] },
    { name: 'local-approver', teamsIds: ['local-approver'] },
    { name: 'local-admin', teamsIds: ['local-admin'] },
  ],
  defaultRole: 'viewer',
  cardSecret: 'local-only-card-secret-not-for-production-use',
};

/**
 * The clusters the local bot treats as production: `PRODUCTION_CLUSTERS` as in AWS (names or ids; a JSON array or
 * a comma-separated list), by default `lab-b`, so that `npm start` shows four-eyes on the default lab's lab-b
 * next to a lab-a that needs no approval. `PRODUCTION_CLUSTERS=` (empty) means none.
 */
export function localProductionClusters(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  return clusterListFromEnv(env.PRODUCTION_CLUSTERS ?? 'lab-b');
}

/** The bot behind botbuilder's CloudAdapter (no app id: the loopback endpoint does not authenticate) + the chat server. */
export async function startLocalBot(opts: LocalBotOptions): Promise<LocalBot> {
  const adapter = new CloudAdapter(new ConnectorReusingAuthentication({}));
  let chatUrl: string | undefined;
  const channels = opts.notificationChannels?.(() => chatUrl);
  const bot = createBot({
    config: { ...LOCAL_BOT_CONFIG, productionClusters: localProductionClusters(), ...opts.config },
    store: opts.store,
    orchestrator: opts.orchestrator,
    scheduler: opts.scheduler,
    startJob: opts.startJob,
    gateway: cloudAdapterGateway(adapter, ''),
    logger: opts.logger,
    ...(opts.queries ? { queries: opts.queries } : {}),
    ...(channels ? { notificationChannels: channels } : {}),
  });
  adapter.onTurnError = async (ctx, err) => {
    opts.logger.error({ err }, 'bot turn error');
    await ctx.sendActivity('Something went wrong. Nothing further was done.').catch(() => undefined);
  };
  const chat = await startChatServer({
    adapter,
    run: (ctx) => bot.run(ctx),
    logger: opts.logger,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.health ? { health: opts.health } : {}),
  });
  chatUrl = chat.url;
  // Progress cards follow the Store: the workflow writes steps, this keeps the visible card current.
  let ticking: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = bot.jobCards
      .activeJobIds()
      .then((ids) => {
        for (const id of ids) bot.jobCards.refresh(id);
      })
      .catch((err) => opts.logger.warn({ err }, 'card refresh failed'))
      .finally(() => {
        ticking = undefined;
      });
  }, opts.refreshEveryMs ?? 1000);
  timer.unref();
  return {
    bot,
    chat,
    async close() {
      clearInterval(timer);
      await ticking;
      await bot.close();
      await chat.close();
    },
  };
}
