import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import { startJob } from '@rackops/core/usecases/start-job';
import { createBot } from '@rackops/bot/app';
import { ConnectorReusingAuthentication } from '@rackops/bot/connector-reuse';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import { seedInventory } from '@rackops/bot/testing/seed-inventory';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { VerifiedRequestAdapter, createBotHandler } from '@rackops/lambdas/handlers/bot.handler';
import { createLocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { startPauseEngine } from '@rackops/local/testing/pause-engine';
import { LOCAL_BOT_CONFIG } from '@rackops/local/web/local-bot';
import { pino } from 'pino';
import { countingStore } from './counting-store';
import { startGcLoopMonitor } from './gc-loop-monitor';

/**
 * The bot alone in a process, as in Lambda: the bot Lambda's handler on POST /api/messages, the Store on DynamoDB
 * at `--dynamo <endpoint>` (another process). GET /stats gives this process's CPU time, the Store calls, the turns
 * so far, the requests under way, its GC time and its event loop's delay since `GET /stats?reset=loop` (which
 * reads, then resets it): the bench reads it before and after each phase, once none are under way. A message
 * `echo` is answered `echo` without the bot (the bench's baseline). Prints `{"url":…}`.
 */
const at = process.argv.indexOf('--dynamo');
const endpoint = process.argv[at + 1];
if (at < 0 || !endpoint) throw new Error('usage: bot-main --dynamo <endpoint>');
const logger = pino({ level: 'silent' });
const gcLoop = startGcLoopMonitor();
const client = new DynamoDBClient({
  endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const raw = createDynamoStore({ client, tableName: 'rackops' });
await raw.migrate();
await seedInventory(raw, 4);
const { store, counts } = countingStore(raw);
let notifier: Notifier | undefined;
const { engine, orchestrator } = startPauseEngine({ store, notifier: () => notifier, logger });
const clock = { now: () => new Date() };
const start = (jobId: string, actor: Parameters<typeof startJob>[2]) =>
  startJob({ store, orchestrator, clock }, jobId, actor);
const scheduler = createLocalScheduler({ store, fire: async () => undefined, logger });
// No app id: tokens are not checked here (the local Bot Connector sends none), the rest is the Lambda's path.
const auth = new ConnectorReusingAuthentication({});
const adapter = new VerifiedRequestAdapter(auth);
const bot = createBot({
  config: { ...LOCAL_BOT_CONFIG, productionClusters: [], progressMinIntervalMs: 0 },
  store,
  orchestrator,
  scheduler,
  startJob: start,
  gateway: cloudAdapterGateway(adapter, ''),
  logger,
});
notifier = bot.notifier;
let turns = 0;
let echoes = 0;
/** Requests to /api/messages not answered yet (a turn ends after its writes): the bench waits for none. */
let inFlight = 0;
const run: typeof bot.run = async (ctx) => {
  // The baseline turn: the same adapter, Direct Line and clients, no bot (no Store, no cards).
  if (ctx.activity.type === 'message' && ctx.activity.text === 'echo') {
    echoes++;
    await ctx.sendActivity('echo');
    return;
  }
  turns++;
  await bot.run(ctx);
};
/** The bot Lambda's handler (token check, turn, invoke answer), given the request as a function URL would. */
const handler = createBotHandler({ auth, adapter, bot: { ...bot, run } });
async function lambdaRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
  );
  const out = await handler({ body, headers, requestContext: { http: { method: req.method ?? 'POST' } } });
  res.writeHead(out.statusCode, out.headers).end(out.body);
}
const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/stats' || req.url === '/stats?reset=loop')) {
    const cpu = process.cpuUsage();
    const gc = gcLoop.stats();
    if (req.url.endsWith('reset=loop')) gcLoop.resetLoop();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        cpuMs: (cpu.user + cpu.system) / 1000,
        storeCalls: counts.total,
        byMethod: counts.byMethod,
        turns,
        echoes,
        inFlight,
        ...gc,
      }),
    );
    return;
  }
  inFlight++;
  lambdaRequest(req, res)
    .catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    })
    .finally(() => inFlight--);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
console.log(
  JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages` }),
);
process.once('SIGTERM', () => {
  void (async () => {
    server.closeAllConnections();
    server.close();
    gcLoop.stop();
    await bot.close();
    await engine.stop();
    client.destroy();
    process.exit(0);
  })();
});
