import type { Blocker } from '@rackops/core/inventory/inventory.schema';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Scheduler, ScheduleTarget } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { startJob } from '@rackops/core/usecases/start-job';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { startDynalite } from '@rackops/local/dynalite';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { pino } from 'pino';
import type { BotConfigInput } from '../../src/config';
import type { BotQueries } from '../../src/runtime';
import { BotHarness, type ChatUser } from '../../src/testing/harness';
import { PAUSE_WORKFLOW, WORKFLOW_NAMES, testOps } from '../../src/testing/pause-workflow';
import { seedInventory } from '../../src/testing/seed-inventory';

export { vm } from '../../src/testing/seed-inventory';

export const USERS = {
  viewer: { id: '29:viewer', name: 'Val Viewer', aadObjectId: 'aad-viewer' },
  operator: { id: '29:oper', name: 'Olga Operator', aadObjectId: 'aad-oper' },
  operator2: { id: '29:oper2', name: 'Omar Operator', aadObjectId: 'aad-oper2' },
  approver: { id: '29:appr', name: 'Ada Approver', aadObjectId: 'aad-appr' },
  approver2: { id: '29:appr2', name: 'Abe Approver', aadObjectId: 'aad-appr2' },
  admin: { id: '29:admin', name: 'Ann Admin', aadObjectId: 'aad-admin' },
  stranger: { id: '29:who', name: 'Stan Stranger', aadObjectId: 'aad-who' },
  groupie: { id: '29:grp', name: 'Gil Groupmember', aadObjectId: 'aad-grp' },
} satisfies Record<string, ChatUser>;

export const CONFIG: BotConfigInput = {
  roles: {
    viewer: ['aad-viewer'],
    operator: ['aad-oper', '29:oper2'],
    approver: ['aad-appr', 'aad-appr2'],
    admin: ['aad-admin'],
  },
  groups: { 'grp-ops': 'operator' },
  groupMembers: { 'grp-ops': ['aad-grp'] },
  cardSecret: 'test-card-secret-0123456789abcdef0123456789',
  progressMinIntervalMs: 50,
};

/** Scheduler port stand-in: records schedules (the local scheduler fires them; here the tests only inspect them). */
export class RecordingScheduler implements Scheduler {
  readonly schedules = new Map<string, { at: string; target: ScheduleTarget }>();
  async scheduleAt(req: { name: string; at: string; target: ScheduleTarget }) {
    this.schedules.set(req.name, { at: req.at, target: req.target });
  }
  readonly recurring = new Map<string, { everyMinutes: number; target: ScheduleTarget }>();
  async scheduleEvery(req: { name: string; everyMinutes: number; target: ScheduleTarget }) {
    this.recurring.set(req.name, { everyMinutes: req.everyMinutes, target: req.target });
  }
  async cancel(name: string) {
    this.schedules.delete(name);
    this.recurring.delete(name);
  }
  async names(prefix: string) {
    return [...this.schedules.keys(), ...this.recurring.keys()].filter((n) => n.startsWith(prefix));
  }
}

export interface BotFixture {
  store: Store;
  harness: BotHarness;
  engine: LocalEngine;
  scheduler: RecordingScheduler;
  /** What the "blocker scan" of rolling updates finds; tests change it. */
  blockers: Record<string, Blocker[]>;
  close(): Promise<void>;
}

/** Real dynalite + the Dynamo Store + the local engine running a small pause/resume workflow + the real bot. */
export async function startBotFixture(
  config: Partial<BotConfigInput> = {},
  opts: { seed?: boolean; queries?: BotQueries } = {},
): Promise<BotFixture> {
  // In memory: faster, and nothing to clean up but the server.
  const dyn = await startDynalite();
  const store = createDynamoStore({ client: dyn.client(), tableName: 'rackops' });
  await store.migrate();
  if (opts.seed !== false) await seedInventory(store);
  const state = { blockers: {} as Record<string, Blocker[]> };
  let notifier: Notifier | undefined;
  const logger = pino({ level: 'silent' });
  let orchestratorRef: ReturnType<typeof createLocalOrchestrator> | undefined;
  const engine = new LocalEngine({
    store,
    definitions: Object.fromEntries(WORKFLOW_NAMES.map((n) => [n, PAUSE_WORKFLOW])),
    functions: testOps(
      store,
      () => notifier ?? { notify: async () => {} },
      () => orchestratorRef!,
      () => state.blockers,
    ),
    logger,
  });
  const orchestrator = createLocalOrchestrator(engine);
  orchestratorRef = orchestrator;
  const scheduler = new RecordingScheduler();
  const harness = new BotHarness({
    config: { ...CONFIG, ...config },
    store,
    orchestrator,
    scheduler,
    startJob: (jobId, actor) =>
      startJob({ store, orchestrator, clock: { now: () => new Date() } }, jobId, actor),
    logger,
    ...(opts.queries ? { queries: opts.queries } : {}),
  });
  notifier = harness.bot.notifier;
  return {
    store,
    harness,
    engine,
    scheduler,
    get blockers() {
      return state.blockers;
    },
    set blockers(b) {
      state.blockers = b;
    },
    async close() {
      await harness.close();
      await engine.stop();
      await dyn.close();
    },
  };
}

/** Poll the Store until `check` passes (the workflow runs asynchronously in the engine). */
export async function eventually<T>(
  fn: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (check(v)) return v;
    if (Date.now() > until)
      throw new Error(`condition not met within ${timeoutMs} ms: ${String(JSON.stringify(v)).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
