import { fileURLToPath } from 'node:url';
import type { Actor, Job } from '@rackops/core/jobs/job.schema';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { CatalogSource } from '@rackops/core/workflows/ops/ops-deps';
import { buildWorkflowDefinitions, substituteDefinition } from '@rackops/core/workflows/index';
import { buildPlatform } from '@rackops/lambdas/composition/platform';
import { type ClaimOutcome, claimFromPlatform } from '@rackops/lambdas/handlers/claim.handler';
import { dispatchFromPlatform } from '@rackops/lambdas/handlers/dispatch.handler';
import { executionStatusFromPlatform } from '@rackops/lambdas/handlers/execution-status.handler';
import { catalogFromLocation, jobOpsFromPlatform } from '@rackops/lambdas/handlers/job-ops.handler';
import { resultFromPlatform } from '@rackops/lambdas/handlers/result.handler';
import type { Logger } from 'pino';
import type { ExecutionRecord } from '../engine/execution-record';
import { LocalEngine, localStateMachineArn } from '../engine/local-engine';
import { startSfnApi } from '../engine/sfn-api/sfn-api-server';
import type { LabAccess } from '../runtime/in-process-agent';
import { startResultsPoller } from '../runtime/results-poller';
import { type LocalScheduler, createLocalScheduler } from '../scheduler/local-scheduler';
import type { StartedParts } from './parts';
import type { LocalStackOptions } from './stack-types';
import type { StandIns } from './stand-ins';

export const LOCAL_DISPATCH_ARN = 'arn:aws:lambda:local:000000000000:function:rackops-dispatch';
export const LOCAL_JOB_OPS_ARN = 'arn:aws:lambda:local:000000000000:function:rackops-job-ops';
export const TABLE_NAME = 'rackops';

export interface FunctionsInput {
  opts: LocalStackOptions;
  standIns: StandIns;
  timeScale: number;
  clock: Clock;
  log: Logger;
  /** The cloud side's relay keys as they are now (key rotation replaces them). */
  relayKeys: () => KeyMaterial;
}

/** The cloud side wired onto the stand-ins; started, except the scheduler (see `startLocalStack`). */
export interface WiredFunctions {
  store: Store;
  orchestrator: Orchestrator;
  scheduler: LocalScheduler;
  engine: LocalEngine;
  startJob: (jobId: string, actor: Actor) => Promise<Job | undefined>;
  claim: (event: unknown) => Promise<ClaimOutcome>;
  sfnEndpoint: string;
  stateMachineArns: Record<string, string>;
  minHeartbeatMs: number;
}

/**
 * The Lambda functions in-process (DESIGN §3): the platform and function factories the Lambda entries use, the
 * local Step Functions engine running the real ASL behind its API, a poller feeding the result handler (the SQS
 * event source) and the local scheduler feeding the claim handler.
 */
export async function wireFunctions(i: FunctionsInput, parts: StartedParts): Promise<WiredFunctions> {
  const { opts, standIns, timeScale, clock, log } = i;
  const { clients, lab } = standIns;
  const meter = opts.meter;
  // Each handler call is one invocation of its Lambda when metered.
  const asLambda = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    meter ? meter.timed(name, fn) : fn;

  const definitions = Object.fromEntries(
    Object.entries(buildWorkflowDefinitions()).map(([name, def]) => [
      name,
      substituteDefinition(def, {
        DispatchFunctionArn: LOCAL_DISPATCH_ARN,
        JobOpsFunctionArn: LOCAL_JOB_OPS_ARN,
      }),
    ]),
  );
  const stateMachineArns = Object.fromEntries(
    Object.keys(definitions).map((name) => [name, localStateMachineArn(name)]),
  );
  const catalog = opts.catalog ?? (lab ? labCatalog(lab) : undefined);
  const notifier = opts.notifier;
  const platform = buildPlatform({
    settings: {
      TABLE_NAME,
      COMMANDS_QUEUE_URL: standIns.relayQueues.commandsQueueUrl,
      STATE_MACHINE_ARNS: JSON.stringify(stateMachineArns),
      HEALTH_READS: opts.healthReads ? 'on' : 'off',
      // From the shell, as the result function read it before it took its settings (README, inventory).
      ...(process.env.INVENTORY_DROP_THRESHOLD_PCT
        ? { INVENTORY_DROP_THRESHOLD_PCT: process.env.INVENTORY_DROP_THRESHOLD_PCT }
        : {}),
    },
    clients,
    seams: {
      scheduler: () => scheduler,
      relayKeys: async () => i.relayKeys(),
      clock,
      logger: log,
      notifications: () => ({
        notifier: notifier ?? {
          notify: async (event) => log.info({ notification: event }, 'notification'),
        },
        ...(opts.progress ? { progress: opts.progress } : {}),
      }),
      ...(catalog ? { catalog } : {}),
      ...(lab ? { windowTimeScale: timeScale } : {}),
    },
  });
  const store = platform.store;
  await store.migrate();
  // The claim handler re-arms a window's series on the scheduler that fires it (fired only after start()).
  const scheduler = createLocalScheduler({
    store,
    fire: asLambda('claim', (event: unknown) => claim(event)),
    clock: opts.schedulerClock ?? clock,
    logger: log.child({ part: 'scheduler' }),
    tickMs: opts.schedulerTickMs ?? 250,
    ...(opts.schedulerIntervalScale ? { intervalScale: opts.schedulerIntervalScale } : {}),
  });
  const functions = {
    dispatch: dispatchFromPlatform(platform),
    jobOps: jobOpsFromPlatform(platform),
    executionStatus: executionStatusFromPlatform(platform),
  };
  const minHeartbeatMs = opts.minHeartbeatMs ?? 3000;

  const engine = new LocalEngine({
    store,
    definitions,
    functions: {
      [LOCAL_DISPATCH_ARN]: asLambda('dispatch', functions.dispatch),
      [LOCAL_JOB_OPS_ARN]: asLambda('job-ops', functions.jobOps),
    },
    timeScale,
    minHeartbeatMs,
    minTimeoutMs: minHeartbeatMs,
    clock,
    logger: log.child({ part: 'engine' }),
    // What EventBridge's execution-status rule does in AWS: an execution that ended fails a job left running.
    onExecutionEnd: async (rec) => {
      if (rec.status === 'RUNNING') return;
      await functions.executionStatus(executionStatusEvent(rec));
    },
    ...(meter || opts.onTransition
      ? {
          onTransition: (state: string) => {
            meter?.transition();
            opts.onTransition?.(state);
          },
        }
      : {}),
    validationCacheDir: fileURLToPath(new URL('../../../node_modules/.cache/rackops-asl/', import.meta.url)),
  });
  parts.add(() => engine.stop());
  // The handlers reach the engine through the Step Functions API and the real SDK client, with the adapter
  // the Lambdas use (createSfnOrchestrator); only the endpoint differs.
  const sfnApi = await startSfnApi(engine, { logger: log.child({ part: 'sfn-api' }) });
  parts.add(() => sfnApi.close());
  standIns.setSfnEndpoint(sfnApi.endpoint);
  // Built once the API listens: these two hold the orchestrator.
  const orchestrator = platform.orchestrator;
  const result = resultFromPlatform(
    platform,
    opts.onInventoryPage ? { onInventoryPage: opts.onInventoryPage } : {},
  );
  const claim = claimFromPlatform(platform);

  const poller = startResultsPoller({
    sqs: clients.sqs,
    queueUrl: standIns.relayQueues.resultsQueueUrl,
    handle: asLambda('result', result),
    logger: log,
  });
  parts.add(() => poller.stop());
  parts.add(() => scheduler.stop());

  return {
    store,
    orchestrator,
    scheduler,
    engine,
    startJob: platform.startJob,
    claim,
    sfnEndpoint: sfnApi.endpoint,
    stateMachineArns,
    minHeartbeatMs,
  };
}

/** The lab's firmware repository as preflight's catalog, trusted by the lab certificate's pin. */
export function labCatalog(lab: LabAccess): CatalogSource | undefined {
  const url = lab.endpoints.catalogUrl;
  return url ? catalogFromLocation({ url, certSha256: lab.tls.certSha256 }) : undefined;
}

/** The EventBridge "Execution Status Change" event AWS would send for an execution that ended. */
function executionStatusEvent(rec: ExecutionRecord) {
  return {
    source: 'aws.states',
    detail: {
      executionArn: rec.executionId,
      name: rec.name,
      status: rec.status,
      ...(rec.error ? { error: rec.error } : {}),
      ...(rec.cause ? { cause: rec.cause } : {}),
    },
  };
}
