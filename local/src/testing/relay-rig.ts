import type { Store } from '@rackops/core/ports/store.port';
import type { Envelope } from '@rackops/core/relay/envelope';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { LocalEngine } from '../engine/local-engine';
import { createLocalOrchestrator } from '../engine/local-orchestrator';
import { type Logger, pino } from 'pino';
import { createDispatchHandler } from '@rackops/lambdas/handlers/dispatch.handler';
import { createResultHandler } from '@rackops/lambdas/handlers/result.handler';

/**
 * The cloud side of the relay, for real: the local Step Functions engine runs one device step per job through
 * the real dispatch handler (commands collected in memory, where the agent would take them), and the real
 * result handler answers it, both on a dynalite Store.
 */
export interface RelayRig {
  engine: LocalEngine;
  /** Commands dispatch sent, in order. */
  sent: Envelope[];
  results: ReturnType<typeof createResultHandler>;
  /** Every log line of the result handler, parsed. */
  logs: Record<string, unknown>[];
  /** Records (if new) and starts a job whose step sends `host.power` to `idrac:<target>`; resolves once its command is sent. */
  start(jobId: string, target: string): Promise<{ executionId: string; command: Envelope }>;
  status(executionId: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** One device step: dispatch sends `host.power` On to `$.target` and waits on the task token. */
export const POWER_ONE_STEP = {
  StartAt: 'Power',
  States: {
    Power: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'arn:aws:lambda:local:000000000000:function:dispatch',
        Payload: {
          'jobId.$': '$.jobId',
          command: { kind: 'host.power', 'target.$': '$.target', params: { action: 'On' } },
          'taskToken.$': '$$.Task.Token',
        },
      },
      End: true,
    },
  },
};

/** Dispatch refuses a job the Store does not hold, so a rig records one as the bot would. */
export async function recordPowerJob(store: Store, jobId: string, hostId: string): Promise<void> {
  if (await store.getJob(jobId)) return;
  const at = new Date().toISOString();
  await store.createJob({
    id: jobId,
    type: 'power_operation',
    target: { kind: 'host', id: hostId },
    params: { action: 'On' },
    createdBy: { kind: 'user', id: 'relay-rig', name: 'relay rig' },
    createdAt: at,
    scheduleAt: at,
    details: {},
    requiresApproval: false,
  });
}

export function startRelayRig(store: Store, keys: () => KeyMaterial, logger?: Logger): RelayRig {
  const sent: Envelope[] = [];
  const logs: Record<string, unknown>[] = [];
  const dispatch = createDispatchHandler({
    store,
    commands: { send: async (env) => void sent.push(env) },
    relayKey: async () => keys(),
  });
  const engine = new LocalEngine({
    store,
    definitions: {
      power: POWER_ONE_STEP,
    },
    functions: { dispatch },
    timeScale: 0.01,
  });
  const results = createResultHandler({
    store,
    orchestrator: createLocalOrchestrator(engine),
    relayKey: async () => keys(),
    logger:
      logger ??
      pino(
        { level: 'debug' },
        { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
      ),
  });
  return {
    engine,
    sent,
    results,
    logs,
    async start(jobId, target) {
      await recordPowerJob(store, jobId, target);
      const before = sent.length;
      const { executionId } = await engine.startExecution({
        workflow: 'power',
        name: jobId,
        input: { jobId, target: { type: 'idrac', id: target } },
      });
      const deadline = Date.now() + 10_000;
      while (sent.length === before) {
        if (Date.now() > deadline) throw new Error(`no command dispatched for ${jobId}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return { executionId, command: sent.find((e) => e.jobId === jobId) as Envelope };
    },
    async status(executionId) {
      return (await engine.describeExecution(executionId))?.status;
    },
    stop: () => engine.stop(),
  };
}
