import type { BotConfigInput } from '@rackops/bot/config';
import { BotHarness } from '@rackops/bot/testing/harness';
import { seedInventory } from '@rackops/bot/testing/seed-inventory';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { startJob } from '@rackops/core/usecases/start-job';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { startDynalite } from '@rackops/local/dynalite';
import { startPauseEngine } from '@rackops/local/testing/pause-engine';
import { pino } from 'pino';

export interface ApprovalsStack {
  store: Store;
  harness: BotHarness;
  close(): Promise<void>;
}

const noSchedules: Scheduler = {
  async scheduleAt() {},
  async scheduleEvery() {},
  async cancel() {},
};

/**
 * The real bot (teams-ai on botbuilder's TestAdapter) on the real Store (dynalite) and the local engine: an
 * attack that gets through approves, starts or creates a job here exactly as it would in production.
 */
export async function startApprovalsStack(config: BotConfigInput): Promise<ApprovalsStack> {
  const dyn = await startDynalite();
  const store = createDynamoStore({ client: dyn.client(), tableName: 'rackops' });
  await store.migrate();
  await seedInventory(store);
  const logger = pino({ level: 'silent' });
  let notifier: Notifier | undefined;
  const { engine, orchestrator: running } = startPauseEngine({ store, notifier: () => notifier, logger });
  const harness = new BotHarness({
    config,
    store,
    orchestrator: running,
    scheduler: noSchedules,
    startJob: (jobId, actor) =>
      startJob({ store, orchestrator: running, clock: { now: () => new Date() } }, jobId, actor),
    logger,
  });
  notifier = harness.bot.notifier;
  return {
    store,
    harness,
    async close() {
      await harness.close();
      await engine.stop();
      await dyn.close();
    },
  };
}
