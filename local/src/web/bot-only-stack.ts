import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Blocker } from '@rackops/core/inventory/inventory.schema';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import { startJob } from '@rackops/core/usecases/start-job';
import { seedInventory } from '@rackops/bot/testing/seed-inventory';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import type { Logger } from 'pino';
import { startDynalite } from '../dynalite';
import { createLocalScheduler } from '../scheduler/local-scheduler';
import { startPauseEngine } from '../testing/pause-engine';
import { type LocalBot, type LocalBotOptions, startLocalBot } from './local-bot';

export interface BotOnlyStack {
  store: Store;
  localBot: LocalBot;
  /** What the stand-in blocker scan finds for rolling updates (per host id). */
  blockers: Record<string, Blocker[]>;
  close(): Promise<void>;
}

/**
 * The bot and web chat on real dynalite and the real local engine, but with a stand-in workflow
 * (testing/pause-workflow: pause for blockers, resume, finish) instead of the lab and relay agent. For the web
 * chat's own tests and the bot benchmark, and for `npm start` until the full local stack is available.
 */
export async function startBotOnlyStack(opts: {
  logger: Logger;
  port?: number;
  config?: LocalBotOptions['config'];
  blockers?: Record<string, Blocker[]>;
  hostsPerCluster?: number;
  notificationChannels?: LocalBotOptions['notificationChannels'];
  refreshEveryMs?: number;
}): Promise<BotOnlyStack> {
  const dir = mkdtempSync(join(tmpdir(), 'rackops-bot-only-'));
  const dyn = await startDynalite({ path: dir });
  const store = createDynamoStore({ client: dyn.client(), tableName: 'rackops' });
  await store.migrate();
  await seedInventory(store, opts.hostsPerCluster ?? 4);
  const state = { blockers: opts.blockers ?? {} };
  let notifier: Notifier | undefined;
  const { engine, orchestrator: orch } = startPauseEngine({
    store,
    notifier: () => notifier,
    blockers: () => state.blockers,
    logger: opts.logger,
  });
  const clock = { now: () => new Date() };
  const start = (jobId: string, actor: Parameters<typeof startJob>[2]) =>
    startJob({ store, orchestrator: orch, clock }, jobId, actor);
  const scheduler = createLocalScheduler({
    store,
    fire: async (target) =>
      target.kind === 'job' ? start(target.jobId, { kind: 'system', id: 'scheduler' }) : undefined,
    logger: opts.logger,
  });
  scheduler.start();
  const localBot = await startLocalBot({
    store,
    orchestrator: orch,
    scheduler,
    startJob: start,
    logger: opts.logger,
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.notificationChannels ? { notificationChannels: opts.notificationChannels } : {}),
    ...(opts.refreshEveryMs !== undefined ? { refreshEveryMs: opts.refreshEveryMs } : {}),
  });
  notifier = localBot.bot.notifier;
  return {
    store,
    localBot,
    get blockers() {
      return state.blockers;
    },
    set blockers(b) {
      state.blockers = b;
    },
    async close() {
      await localBot.close();
      await scheduler.stop();
      await engine.stop();
      await dyn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
