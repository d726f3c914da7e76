import { type Bot, createBot } from '@rackops/bot/app';
import { type BotConfigInput, clusterListFromEnv } from '@rackops/bot/config';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import {
  type Activity,
  CloudAdapter,
  type ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
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

type AuthenticateRequestResult = Awaited<
  ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>
>;

/**
 * A CloudAdapter that runs the turn of a request whose token the handler has already verified: `process` would
 * verify it a second time (an RSA signature check and the claims, on every request).
 */
export class VerifiedRequestAdapter extends CloudAdapter {
  runVerified(
    auth: AuthenticateRequestResult,
    activity: Activity,
    logic: (ctx: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}

export interface BotHandlerDeps {
  /**
   * Verifies the Bot Framework token, once per request: botbuilder's own path answers a token that fails
   * verification (a bad signature, expired) with 500 and the library's message; here a caller without a valid
   * token gets 401 and nothing else, and the verified result is what the turn runs with.
   */
  auth: Pick<ConfigurationBotFrameworkAuthentication, 'authenticateRequest'>;
  /** Runs the turn with that result (its Bot Connector client, the caller id). */
  adapter: VerifiedRequestAdapter;
  bot: Bot;
}

/**
 * The activity as botbuilder's CloudAdapter.process takes it: an object with a string type, its timestamps as
 * Dates (the raw strings kept beside them).
 */
function activityOf(body: unknown): Activity | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return undefined;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = a[field];
    if (typeof value === 'string') {
      a[raw] = value;
      a[field] = new Date(value);
    }
  }
  return a as unknown as Activity;
}

/**
 * POST /api/messages as a Lambda: the Bot Framework token is verified (401 without a valid one, before the bot
 * sees anything), then the bot's turn runs; an invoke's answer (Action.Execute) is the response body.
 */
export function createBotHandler(deps: BotHandlerDeps) {
  return async (raw: unknown): Promise<HttpResult> => {
    const parsed = HttpEvent.safeParse(raw);
    if (!parsed.success) return { statusCode: 400, body: '' };
    const event = parsed.data;
    const method = event.requestContext?.http?.method ?? 'POST';
    if (method !== 'POST') return { statusCode: 405, body: '' };
    let activity: Activity | undefined;
    try {
      const text = event.isBase64Encoded
        ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
        : (event.body ?? '');
      activity = activityOf(JSON.parse(text));
    } catch {
      activity = undefined;
    }
    if (!activity) return { statusCode: 400, body: '' };
    // Header names are case-insensitive.
    const authorization = Object.entries(event.headers).find(
      ([k]) => k.toLowerCase() === 'authorization',
    )?.[1];
    let verified: AuthenticateRequestResult;
    try {
      verified = await deps.auth.authenticateRequest(activity, authorization ?? '');
    } catch {
      return { statusCode: 401, body: '' };
    }
    let answer: InvokeResponse | undefined;
    try {
      answer = await deps.adapter.runVerified(verified, activity, (ctx) => deps.bot.run(ctx));
    } catch {
      // The adapter's onTurnError has logged and answered what it could; no library message goes back.
      return { statusCode: 500, body: '' };
    }
    const out = answer?.body;
    return {
      statusCode: answer?.status ?? 200,
      headers: { 'content-type': 'application/json' },
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
  const adapter = new VerifiedRequestAdapter(auth);
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
