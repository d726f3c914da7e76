import { type Bot, createBot } from '@rackops/bot/app';
import { type BotConfigInput, clusterListFromEnv } from '@rackops/bot/config';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import { type Activity, CloudAdapter, type ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { botFrameworkAuthOf } from './bot-auth';
import { z } from 'zod';
import { createSqsQueueStats, watchedQueuesFromEnv } from '../adapters/sqs-queue-stats';
import { awsExtraChannels, emitDeadLetterMetric } from '../notifications/aws-notifier';
import { type BotSecret, fetchBotSecret } from './bot-secret';
import { awsPlatform } from '../composition/lambda';
import type { createComplianceQuery } from './inventory-compliance';
import type { Settings } from '../composition/settings';
import type { Store } from '@rackops/core/ports/store.port';

/** The HTTP event from API Gateway (HTTP API, payload 2.0) or a Lambda function URL: only what we read. */
const HttpEvent = z.object({
  body: z
    .string()
    .max(1024 * 1024)
    .optional(),
  isBase64Encoded: z.boolean().optional(),
  headers: z.record(z.string(), z.string().optional()).default({}),
  requestContext: z
    .object({ http: z.object({ method: z.string() }).optional() })
    .loose()
    .optional(),
});

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export interface BotHandlerDeps {
  /** Validates the Bot Framework token on every request (CloudAdapter with ConfigurationBotFrameworkAuthentication). */
  adapter: CloudAdapter;
  /**
   * The same authentication, asked first: botbuilder answers a token that fails verification (a bad signature,
   * expired) with 500 and the library's message; a caller without a valid token gets 401 and nothing else.
   */
  auth?: Pick<ConfigurationBotFrameworkAuthentication, 'authenticateRequest'>;
  bot: Bot;
}

/**
 * POST /api/messages as a Lambda: the request goes through botbuilder's CloudAdapter, which rejects a missing or
 * invalid Bot Framework token (401) before the bot sees anything, then runs the bot's turn.
 */
export function createBotHandler(deps: BotHandlerDeps) {
  return async (raw: unknown): Promise<HttpResult> => {
    const parsed = HttpEvent.safeParse(raw);
    if (!parsed.success) return { statusCode: 400, body: '' };
    const event = parsed.data;
    const method = event.requestContext?.http?.method ?? 'POST';
    if (method !== 'POST') return { statusCode: 405, body: '' };
    let body: Record<string, unknown>;
    try {
      const text = event.isBase64Encoded
        ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
        : (event.body ?? '');
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { statusCode: 400, body: '' };
    }
    let statusCode = 200;
    let out: unknown;
    const headers: Record<string, string> = {};
    const response = {
      socket: undefined,
      status(code: number) {
        statusCode = code;
      },
      header(name: string, value: unknown) {
        headers[name] = String(value);
      },
      send(payload?: unknown) {
        out = payload;
      },
      end() {},
    };
    // Header names are case-insensitive; the adapter reads `authorization`.
    const lower = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (deps.auth) {
      try {
        await deps.auth.authenticateRequest(body as unknown as Activity, lower.authorization ?? '');
      } catch {
        return { statusCode: 401, body: '' };
      }
    }
    await deps.adapter.process({ body, headers: lower, method }, response, (ctx) => deps.bot.run(ctx));
    return {
      statusCode,
      headers: { 'content-type': 'application/json', ...headers },
      body: out === undefined ? '' : typeof out === 'string' ? out : JSON.stringify(out),
    };
  };
}

/**
 * The bot's config: the secret's, with the app id, and the production clusters of the deployment
 * (`PRODUCTION_CLUSTERS`, from the CDK context `rackops:productionClusters`) added to any the secret names.
 */
export function botConfigOf(
  secret: Pick<BotSecret, 'microsoftAppId' | 'config'>,
  settings: Pick<Settings, 'PRODUCTION_CLUSTERS'>,
): BotConfigInput {
  const productionClusters = [
    ...(secret.config.productionClusters ?? []),
    ...clusterListFromEnv(settings.PRODUCTION_CLUSTERS),
  ];
  return { ...secret.config, appId: secret.microsoftAppId, productionClusters };
}

/**
 * `compliance <cluster>` with the catalog at `url`: the catalog reader (XML tokenizer, fetch with pinning) is a
 * chunk of its own, loaded by the first compliance question rather than at every cold start.
 */
function lazyComplianceQuery(url: string): (store: Store, clusterId: string) => Promise<string> {
  let query: Promise<ReturnType<typeof createComplianceQuery>> | undefined;
  return async (store, clusterId) => {
    query ??= import('./inventory-compliance').then((m) => m.createComplianceQuery({ catalog: { url } }));
    query.catch(() => {
      query = undefined;
    });
    return (await query)(store, clusterId);
  };
}

let handler: Promise<ReturnType<typeof createBotHandler>> | undefined;

async function wire(): Promise<ReturnType<typeof createBotHandler>> {
  const platform = awsPlatform();
  const secret = await fetchBotSecret(platform.clients.secretsManager);
  const auth = botFrameworkAuthOf(secret);
  const adapter = new CloudAdapter(auth);
  const logger = platform.logger;
  adapter.onTurnError = async (ctx, err) => {
    logger.error({ err }, 'bot turn error');
    await ctx.sendActivity('Something went wrong. Nothing further was done.').catch(() => undefined);
  };
  const catalogUrl = platform.settings.CATALOG_URL;
  const bot = createBot({
    config: botConfigOf(secret, platform.settings),
    store: platform.store,
    orchestrator: platform.orchestrator,
    scheduler: platform.scheduler,
    startJob: platform.startJob,
    gateway: cloudAdapterGateway(adapter, secret.microsoftAppId),
    logger,
    notificationChannels: awsExtraChannels(platform.clients, platform.settings),
    onDeadLetter: (rec) => emitDeadLetterMetric(rec),
    queries: {
      queues: createSqsQueueStats({
        client: platform.clients.sqs,
        queues: watchedQueuesFromEnv(platform.settings),
      }),
      ...(catalogUrl ? { compliance: lazyComplianceQuery(catalogUrl) } : {}),
    },
  });
  return createBotHandler({ adapter, auth, bot });
}

/** AWS entry point. Env: BOT_SECRET_ARN, TABLE_NAME, state machine ARNs, SCHEDULE_GROUP_NAME, CLAIM_FUNCTION_ARN, SCHEDULER_ROLE_ARN, PRODUCTION_CLUSTERS, CATALOG_URL (optional), the relay queues for `health` (COMMANDS_QUEUE_URL, RESULTS_QUEUE_URL, COMMANDS_DLQ_URL, RESULTS_DLQ_URL). */
export default async function main(event: unknown): Promise<HttpResult> {
  handler ??= wire().catch((err: unknown) => {
    handler = undefined;
    throw err;
  });
  return (await handler)(event);
}
