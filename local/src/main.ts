import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import '@rackops/core/polyfills';
import type { Bot } from '@rackops/bot/app';
import { LiveCards } from '@rackops/bot/live-cards';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { NotificationEvent, Notifier } from '@rackops/core/ports/notifier.port';
import { createComplianceQuery } from '@rackops/lambdas/handlers/inventory-compliance';
import { reconcileDeployment } from '@rackops/lambdas/handlers/reconcile.handler';
import { DEFAULT_LAB } from '@rackops/lab/index';
import { pino } from 'pino';
import { DR_SOURCE_APPLIANCE, DR_TARGET_APPLIANCE, type DrSetup, startDrSetup } from './dr-lab-start';
import { nodeSupportLine, silenceSdkNodeNotice } from './node-support';
import {
  describeNotifySettings,
  loadLocalNotifySettings,
  localNotificationChannels,
} from './notify-channels';
import { labInventorySources, startLocalStack } from './stack';
import { startBotOnlyStack } from './web/bot-only-stack';
import { chooseChatPort } from './web/chat-port';
import { type LocalBot, startLocalBot } from './web/local-bot';

/**
 * `npm start`: the whole local system — dynalite, SQS emulator, local Step Functions engine, scheduler, relay
 * agent, the default lab — plus the bot and the web chat page on loopback. Ctrl-C stops everything.
 * `npm start -- --bot-only` runs the bot and web chat with a stand-in workflow (no lab, no agent).
 * `npm start -- --dr` adds the disaster-recovery lab: a source and a DR vCenter and two ZFS appliances
 * (zfs-fuse over loopback SSH) for protection groups, `replicate` and `failover` (see dr-lab-start.ts);
 * RACKOPS_ZFS_WAIT_MS (default 20 s) is how long it waits for another user of zfs-fuse (a test run) to finish.
 * Environment: PORT (web chat port, default 3978 — an ephemeral one if that is taken), RACKOPS_DATA (default
 * .rackops), LOG_LEVEL.
 */
silenceSdkNodeNotice();
const logger = pino({ ...REDACTING_LOGGER, level: process.env.LOG_LEVEL ?? 'warn', name: 'rackops' });
const botOnly = process.argv.includes('--bot-only');
const withDr = !botOnly && process.argv.includes('--dr');
const chatPort = await chooseChatPort(process.env.PORT);
if ('error' in chatPort) {
  console.error(`rackops: ${chatPort.error}. Nothing was started.`);
  process.exit(2);
}
const { port } = chatPort;
const dataDir = process.env.RACKOPS_DATA ?? '.rackops';
let notifySettings: Awaited<ReturnType<typeof loadLocalNotifySettings>>;
try {
  notifySettings = await loadLocalNotifySettings({ dataDir });
} catch (err) {
  console.error(`rackops: ${err instanceof Error ? err.message : String(err)}. Nothing was started.`);
  process.exit(2);
}
const notificationChannels = (link: () => string | undefined) =>
  localNotificationChannels(notifySettings, link);

let bot: Bot | undefined;
// The stack's workflows notify through the bot, which needs the stack's store first: bind late.
const notifier: Notifier = {
  async notify(event: NotificationEvent) {
    if (bot) await bot.notifier.notify(event);
    else logger.info({ event }, 'notification before the bot started');
  },
};

// Live cards as in AWS: job-ops tells the bot's LiveCards after each call (the bot binds late, as above).
let live: LiveCards | undefined;
const progress: JobProgress = { changed: async (jobId) => live?.changed(jobId) };

let stop: () => Promise<void>;
let localBot: LocalBot;
const lines: string[] = [`node:      ${nodeSupportLine()}`];
let tryLines = [
  '  Try: `inventory sync`, then `update cluster lab-a`. Ctrl-C stops everything.',
  '  Disaster recovery (protection groups, replicate, failover): `npm start -- --dr`.',
];
if (botOnly) {
  const s = await startBotOnlyStack({ logger, port, notificationChannels });
  localBot = s.localBot;
  stop = () => s.close();
  lines.push(
    'mode:      bot only (stand-in workflow; no lab, no relay agent)',
    `notify:    ${describeNotifySettings(notifySettings)}`,
  );
} else {
  const dr: DrSetup | { unavailable: string } | undefined = withDr
    ? await startDrSetup({ lockWaitMs: Number(process.env.RACKOPS_ZFS_WAIT_MS ?? 20_000) })
    : undefined;
  const drSetup = dr && 'sites' in dr ? dr : undefined;
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      dataDir,
      lab: drSetup ? drSetup.lab(DEFAULT_LAB) : true,
      agent: true,
      ...(drSetup ? { zfs: drSetup.zfs } : {}),
      notifier,
      progress,
      logger,
      healthReads: true,
    });
    if (drSetup && stack.lab) await drSetup.prepare(stack.lab);
  } catch (err) {
    await drSetup?.close();
    throw err;
  }
  const sources = stack.lab ? labInventorySources(stack.lab) : [];
  localBot = await startLocalBot({
    store: stack.store,
    orchestrator: stack.orchestrator,
    scheduler: stack.scheduler,
    startJob: stack.startJob,
    logger,
    port,
    notificationChannels,
    health: { orchestrator: `sfn-api ${stack.config.sfnEndpoint}` },
    config: { inventorySources: sources },
    queries: {
      queues: stack.queueStats,
      ...(stack.lab?.endpoints.catalogUrl
        ? {
            compliance: createComplianceQuery({
              catalog: { url: stack.lab.endpoints.catalogUrl, certSha256: stack.lab.tls.certSha256 },
            }),
          }
        : {}),
    },
  });
  // Inventory stays fresh without anyone asking: every source syncs on a schedule (RACKOPS_SYNC_MINUTES).
  // The same reconcile AWS runs on every deploy (custom resource) and daily (infra stateless stack).
  const syncEvery = Number(process.env.RACKOPS_SYNC_MINUTES ?? 60);
  const { inventorySchedules: schedules, windows } = await reconcileDeployment(
    stack.scheduler,
    {
      inventory: {
        everyMinutes: syncEvery,
        vcenters: sources.filter((s) => s.source === 'vcenter').map((s) => s.id),
        omes: sources.filter((s) => s.source === 'ome').map((s) => s.id),
      },
    },
    { store: stack.store, now: () => new Date() },
  );
  stop = async () => {
    await localBot.close();
    await stack.stop();
    await drSetup?.close();
  };
  lines.push(
    `data:      ${stack.config.dataDir}`,
    `dynamodb:  ${stack.config.dynamoEndpoint} (dynalite)`,
    `sqs:       ${stack.config.sqsEndpoint} (fauxqs)`,
    `backups:   s3://${stack.config.backups.bucket}/${stack.config.backups.prefix ?? ''} (fauxqs S3, in memory)`,
    `orchestrator: sfn-api ${stack.config.sfnEndpoint} (the local engine behind the Step Functions API)`,
    `lab:       ${stack.lab ? `${stack.lab.endpoints.idracs.length} iDRACs, ${stack.lab.endpoints.vcenters.length} vCenter(s), ${stack.lab.endpoints.omes.length} OME` : 'off'}`,
    `notify:    ${describeNotifySettings(notifySettings)}`,
    `agent:     ${stack.agent ? 'relay agent running in-process' : 'off'}`,
    `syncs:     ${schedules.length} inventory source(s) every ${syncEvery} min, with a hardware health read (inventory.health) of each vCenter host`,
    `windows:   ${windows?.armed.length ?? 0} maintenance window(s) armed`,
  );
  if (dr && 'unavailable' in dr)
    lines.push(`dr:        OFF — ${dr.unavailable}. Started without the DR lab.`);
  if (drSetup && stack.lab) {
    lines.push(
      `dr:        vc-src (web-01, db-01) → vc-dr (cluster dr-a); ZFS appliances ${DR_SOURCE_APPLIANCE}, ${DR_TARGET_APPLIANCE} (${drSetup.sites.appliance}, ssh ${drSetup.sites.sshd.host}:${drSetup.sites.sshd.port}, pinned host key); pools in ${drSetup.sites.dir}, removed on exit`,
    );
    const steps = drSetup.commands(stack.lab);
    tryLines = [
      '  Try disaster recovery — type, in order (approver lines in the Approver tab):',
      ...steps.flatMap((c) => [
        `    ${c.as === 'approver' ? 'approver' : 'operator'}:  ${c.text}`,
        ...(c.next ? [`               then ${c.next}`] : []),
      ]),
      '  The pools are new on each start: a group left from an earlier --dr run points at pools that are gone.',
      '  Ctrl-C stops everything.',
    ];
  }
}
bot = localBot.bot;
live = new LiveCards({
  store: bot.runtime.store,
  jobCards: bot.jobCards,
  clock: bot.runtime.clock,
  logger,
  minIntervalMs: bot.runtime.config.progressMinIntervalMs,
});

const url = localBot.chat.url;
console.log(
  [
    '',
    'RackOps is running locally.',
    '',
    `  Web chat:  ${url}            (you are local-operator: operator role)`,
    `  Approver:  ${url}?user=local-approver&name=Approver   (four-eyes approvals)`,
    `  Direct Line: ${url}v3/directline   Bot Connector: ${url}v3/conversations   Bot: ${url}api/messages`,
    ...lines.map((l) => `  ${l}`),
    ...(chatPort.note ? [`  note:      ${chatPort.note}`] : []),
    '',
    ...tryLines,
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  try {
    await stop();
    console.log('stopped.');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'stop failed');
    process.exit(1);
  }
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
