import type { Blocker } from '@rackops/core/inventory/inventory.schema';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import { PAUSE_WORKFLOW, WORKFLOW_NAMES, testOps } from '@rackops/bot/testing/pause-workflow';
import type { Logger } from 'pino';
import { LocalEngine } from '../engine/local-engine';
import { createLocalOrchestrator } from '../engine/local-orchestrator';

export interface PauseEngine {
  engine: LocalEngine;
  orchestrator: ReturnType<typeof createLocalOrchestrator>;
}

/**
 * The real local engine running the stand-in workflow (bot/testing/pause-workflow: pause for blockers, resume,
 * finish) for every job type. The notifier and blockers are read per call: the bot that notifies is built after
 * the engine it drives.
 */
export function startPauseEngine(o: {
  store: Store;
  notifier: () => Notifier | undefined;
  blockers?: () => Record<string, Blocker[]>;
  logger: Logger;
}): PauseEngine {
  let orchestrator: ReturnType<typeof createLocalOrchestrator> | undefined;
  const engine = new LocalEngine({
    store: o.store,
    definitions: Object.fromEntries(WORKFLOW_NAMES.map((n) => [n, PAUSE_WORKFLOW])),
    functions: testOps(
      o.store,
      () => o.notifier() ?? { notify: async () => {} },
      () => {
        if (!orchestrator) throw new Error('engine not ready');
        return orchestrator;
      },
      o.blockers ?? (() => ({})),
    ),
    logger: o.logger,
  });
  orchestrator = createLocalOrchestrator(engine);
  return { engine, orchestrator };
}
