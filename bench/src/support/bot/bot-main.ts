import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import { startJob } from '@rackops/core/usecases/start-job';
import { createBot } from '@rackops/bot/app';
import { cloudAdapterGateway } from '@rackops/bot/gateway';
import { seedInventory } from '@rackops/bot/testing/seed-inventory';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { createLocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { startPauseEngine } from '@rackops/local/testing/pause-engine';
import { handleBotMessage } from '@rackops/local/web/bot-endpoint';
import { LOCAL_BOT_CONFIG } from '@rackops/local/web/local-bot';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { pino } from 'pino';
import { countingStore } from './counting-store';

/**
 * The bot alone in a process, as in Lambda: botbuilder's CloudAdapter on POST /api/messages, the Store on DynamoDB
 * at `--dynamo <endpoint>` (another process). GET /stats gives this process's CPU time, the Store calls, the turns
 * so far and the requests under way: the bench reads it before and after each phase, once none are under way. A
 * message `echo` is answered `echo` without the bot (the bench's baseline). Prints `{"url":…}`.
 */
const at = process.argv.indexOf('--dynamo');
const endpoint = process.argv[at + 1];
if (at < 0 || !endpoint) throw new Error('usage: bot-main --dynamo <endpoint>');
const logger = pino({ level: 'silent' });
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
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
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
const run: Parameters<typeof handleBotMessage>[1] = async (ctx) => {
  // The baseline turn: the same adapter, Direct Line and clients, no bot (no Store, no cards).
  if (ctx.activity.type === 'message' && ctx.activity.text === 'echo') {
    echoes++;
    await ctx.sendActivity('echo');
    return;
  }
  turns++;
  await bot.run(ctx);
};
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    const cpu = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        cpuMs: (cpu.user + cpu.system) / 1000,
        storeCalls: counts.total,
        byMethod: counts.byMethod,
        turns,
        echoes,
        inFlight,
      }),
    );
    return;
  }
  inFlight++;
  handleBotMessage(adapter, run, req, res)
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
    await bot.close();
    await engine.stop();
    client.destroy();
    process.exit(0);
  })();
});
