import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LiveCards } from '@rackops/bot/live-cards';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { systemClock } from '@rackops/core/ports/clock.port';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { BotSecret } from '@rackops/lambdas/handlers/bot-secret';
import { createJobOpsHandler } from '@rackops/lambdas/handlers/job-ops.handler';
import { botPartsFromSecret } from '@rackops/lambdas/notifications/teams-notifications';
import { LOCAL_BOT_CONFIG } from '@rackops/local/web/local-bot';
import { pino } from 'pino';

/**
 * The workflow side of live cards in a process of its own, wired as the job-ops Lambda is (`botPartsFromSecret`:
 * the conversation channel and LiveCards talk to the Bot Connector themselves, the bot process is not asked):
 * `--dynamo <endpoint> --jobs <file> --seconds <n>`. Each job of the file writes a step every 0.5–1.5 s through the
 * job-ops handler for `n` seconds, then keeps calling `check-cancel` every second for 3 s (what a waiting
 * workflow does), then pauses (the `job_paused` event). Prints `{"ready":true}` once wired, and at the end one
 * JSON line with each job's write times and pause time (epoch ms: the readers are in another process), the ops
 * run and the process's CPU time for them.
 */
const arg = (name: string): string => {
  const at = process.argv.indexOf(name);
  const value = process.argv[at + 1];
  if (at < 0 || !value) throw new Error('usage: engine-main --dynamo <endpoint> --jobs <file> --seconds <n>');
  return value;
};
const jobIds = JSON.parse(readFileSync(arg('--jobs'), 'utf8')) as string[];
const seconds = Number(arg('--seconds'));
const logger = pino({ level: 'silent' });
const client = new DynamoDBClient({
  endpoint: arg('--dynamo'),
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const store = createDynamoStore({ client, tableName: 'rackops' });
// The bot secret as an operator fills it in, for a loopback Bot Connector (no token).
const parts = botPartsFromSecret(
  BotSecret.parse({
    microsoftAppId: 'local-bench',
    microsoftAppPassword: 'unused-on-loopback',
    connectorAuth: 'none',
    config: { ...LOCAL_BOT_CONFIG, productionClusters: [] },
  }),
  { store, logger },
);
const jobOps = createJobOpsHandler({
  store,
  notifier: new NotificationPipeline({ store, clock: systemClock, logger, channels: [parts.conversation] }),
  progress: new LiveCards({
    store,
    jobCards: parts.jobCards,
    clock: systemClock,
    logger,
    minIntervalMs: parts.config.progressMinIntervalMs,
  }),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let ops = 0;
const op = async (event: Record<string, unknown>) => {
  ops++;
  await jobOps(event);
};
console.log(JSON.stringify({ ready: true }));
const cpu0 = process.cpuUsage();

const end = Date.now() + seconds * 1000;
const results = await Promise.all(
  jobIds.map(async (jobId) => {
    const writes: number[] = [];
    for (let n = 0; Date.now() < end; n++) {
      writes.push(Date.now());
      await op({ op: 'step', jobId, step: { key: `s${n}`, name: `Bench step ${n}`, status: 'running' } });
      await sleep(500 + Math.random() * 1000);
    }
    for (let i = 0; i < 3; i++) {
      await sleep(1000);
      await op({ op: 'check-cancel', jobId });
    }
    const pausedAt = Date.now();
    await jobOps({
      op: 'pause',
      jobId,
      taskToken: `bench-${jobId}`,
      reason: 'bench pause',
      kind: 'blockers',
    });
    return { jobId, writes, pausedAt };
  }),
);
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    jobs: results,
    progressMinIntervalMs: parts.config.progressMinIntervalMs,
    ops,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }),
);
client.destroy();
