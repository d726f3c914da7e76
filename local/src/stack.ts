import '@rackops/core/polyfills';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Actor, Job } from '@rackops/core/jobs/job.schema';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { QueueStats } from '@rackops/core/ports/queue-stats.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { HEARTBEAT } from '@rackops/core/workflows/timing';
import type { CatalogSource } from '@rackops/core/workflows/ops/ops-deps';
import { buildWorkflowDefinitions, substituteDefinition } from '@rackops/core/workflows/index';
import { type Lab, startLab } from '@rackops/lab/index';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { createAwsClients } from '@rackops/lambdas/composition/clients';
import { buildPlatform } from '@rackops/lambdas/composition/platform';
import { createSqsQueueStats } from '@rackops/lambdas/adapters/sqs-queue-stats';
import { claimFromPlatform } from '@rackops/lambdas/handlers/claim.handler';
import { dispatchFromPlatform } from '@rackops/lambdas/handlers/dispatch.handler';
import { executionStatusFromPlatform } from '@rackops/lambdas/handlers/execution-status.handler';
import { catalogFromLocation, jobOpsFromPlatform } from '@rackops/lambdas/handlers/job-ops.handler';
import { type ProgressMessage, resultFromPlatform } from '@rackops/lambdas/handlers/result.handler';
import { type Logger, pino } from 'pino';
import { type RunningDynalite, startDynalite } from './dynalite';
import type { AwsMeter } from './metering/aws-meter';
import type { ExecutionRecord } from './engine/execution-record';
import { LocalEngine, localStateMachineArn } from './engine/local-engine';
import { startSfnApi } from './engine/sfn-api/sfn-api-server';
import {
  type InProcessAgent,
  type InProcessAgentOptions,
  type LabAccess,
  startInProcessAgent,
} from './runtime/in-process-agent';
import { type InventorySource, syncInventoryNow } from './runtime/inventory-at-start';
import { createRelayQueues } from './relay-queues';
import { startResultsPoller } from './runtime/results-poller';
import { type LocalScheduler, createLocalScheduler } from './scheduler/local-scheduler';
import { type SqsEmulator, startSqsEmulator } from './sqs-emulator';

export const LOCAL_DISPATCH_ARN = 'arn:aws:lambda:local:000000000000:function:rackops-dispatch';
export const LOCAL_JOB_OPS_ARN = 'arn:aws:lambda:local:000000000000:function:rackops-job-ops';

export interface LocalStackOptions {
  /** Where state persists (dynalite, relay key, agent ledger); `npm start` passes `.rackops`. Default: a temp dir removed on stop. */
  dataDir?: string;
  /** Multiplies every duration (lab devices, ASL heartbeats/timeouts/waits). @default 1/60 */
  timeScale?: number;
  /** The lab's seed. */
  seed?: number;
  /** Start the simulated datacenter: true for the default lab, or a lab config. @default false */
  lab?: boolean | LabConfigInput;
  /** Run the relay agent in this process against the lab. @default true when the lab runs */
  agent?: boolean;
  notifier?: Notifier;
  /** Told after each job-ops call, as in AWS: the bot's live cards (LiveCards). */
  progress?: JobProgress;
  /** Inventory pages from the results queue. @default core's inventory ingestion into the Store */
  onInventoryPage?: (page: Record<string, unknown>, msg: ProgressMessage) => Promise<unknown>;
  /** Firmware catalog for preflight. @default the lab's repository when the lab runs */
  catalog?: CatalogSource;
  /** HMAC key(s) shared with the agent. @default one key generated once per dataDir, kept in `<dataDir>/relay.key` */
  relayKey?: KeyMaterial;
  clock?: Clock;
  logger?: Logger;
  /** Local scheduler poll interval. @default 250 */
  schedulerTickMs?: number;
  /**
   * The clock that decides when schedules are due (a scenario's DrivenClock fires a window's occurrence when the
   * scenario moves it there). @default `clock`
   */
  schedulerClock?: Clock;
  /** Multiplies recurring schedule intervals (a protection group's sync every RPO/2) for demos. @default 1 */
  schedulerIntervalScale?: number;
  /** Lowest heartbeat window in real ms, whatever the time scale (the message path is not scaled). @default 3000 */
  minHeartbeatMs?: number;
  /**
   * Sync the lab's vCenter and OME inventory before returning, so a chat started next reads the lab as it
   * is. @default true with a data dir, the lab and the agent: the Store persists, the in-memory lab does not
   */
  syncInventoryAtStart?: boolean;
  /** ZFS appliances for the in-process agent (`zfs.sites` of its config), e.g. zfs-fuse sites over loopback SSH. */
  zfs?: InProcessAgentOptions['zfs'];
  /** Count what AWS would bill (SDK calls, capacity, transitions, Lambda time): the cost bench. */
  meter?: AwsMeter;
  /** Each vCenter sync tick also reads every host's hardware health (`npm start` turns it on). @default false */
  healthReads?: boolean;
}

export interface LocalStackConfig {
  dataDir: string;
  persistent: boolean;
  timeScale: number;
  tableName: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  /** The local engine's Step Functions API: every orchestrator call of the stack goes through it with the SDK. */
  sfnEndpoint: string;
  /** Workflow name -> state machine ARN on that API (what `STATE_MACHINE_ARNS` holds in AWS). */
  stateMachineArns: Record<string, string>;
  commandsQueueUrl: string;
  resultsQueueUrl: string;
  /** Where a command or result received five times without being deleted ends up (as in AWS). */
  commandsDeadLetterUrl: string;
  resultsDeadLetterUrl: string;
  /** The relay key file, for an agent started in another process. */
  relayKeyFile: string;
  /** Real seconds between the agent's progress messages (several per heartbeat window), for such an agent too. */
  agentProgressSeconds: number;
}

export interface LocalStack {
  store: Store;
  orchestrator: Orchestrator;
  scheduler: LocalScheduler;
  engine: LocalEngine;
  /** The relay queues' depths, dead-letter queues included (what `health` shows). */
  queueStats: QueueStats;
  /** core's startJob with this stack's dependencies (what the bot's use-cases inject). */
  startJob: (jobId: string, actor: Actor) => Promise<Job | undefined>;
  lab?: Lab;
  agent?: InProcessAgent;
  config: LocalStackConfig;
  /** Replace the cloud side's relay keys (what a new Secrets Manager value does): key rotation. */
  setRelayKeys(keys: KeyMaterial): void;
  /** Stops everything this stack started: no ports, timers or processes remain. Running executions stay recorded and resume next start. */
  stop(): Promise<void>;
}

const TABLE_NAME = 'rackops';

/**
 * The whole backend on one machine (DESIGN §3): dynalite for DynamoDB, fauxqs for SQS, the local Step
 * Functions engine running the real ASL with the Lambda handlers in-process, a poller feeding the result
 * handler (the SQS event source), the local scheduler feeding the claim handler, and optionally the lab and
 * the relay agent. Parts start in dependency order; if one fails, the ones already started are stopped.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const clock = opts.clock ?? systemClock;
  const timeScale = opts.timeScale ?? 1 / 60;
  const persistent = opts.dataDir !== undefined;
  const dataDir = persistent
    ? resolve(opts.dataDir as string)
    : mkdtempSync(join(tmpdir(), 'rackops-stack-'));
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log.error({ err }, 'stopping a part of the local stack failed');
      }
    }
    if (!persistent) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const relayKeyFile = join(dataDir, 'relay.key');
    const relayKey: KeyMaterial = opts.relayKey ?? readOrCreateKey(relayKeyFile);
    let cloudKeys: KeyMaterial = relayKey;

    // A stack that keeps nothing keeps its tables in memory (the temp dir goes on stop anyway).
    const dynalite: RunningDynalite = await startDynalite(
      persistent ? { path: join(dataDir, 'dynamo') } : {},
    );
    stops.push(() => dynalite.close());
    const sqsEmu: SqsEmulator = await startSqsEmulator();
    stops.push(() => sqsEmu.close());
    // Set once the engine's Step Functions API listens; no handler runs before then.
    let sfnEndpoint: string | undefined;

    // One wiring with AWS (DESIGN §1): the same clients, platform and function factories as the Lambda
    // entries; only the endpoints and the seams below differ.
    const clients = createAwsClients({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      services: {
        dynamodb: { endpoint: dynalite.endpoint, maxAttempts: 5 },
        sqs: { endpoint: sqsEmu.endpoint },
        sfn: {
          endpoint: () => {
            if (!sfnEndpoint) throw new Error('the local Step Functions API is not started yet');
            return sfnEndpoint;
          },
        },
      },
    });
    stops.push(async () => clients.destroy());
    const meter = opts.meter;
    meter?.attach(clients.dynamodb);
    meter?.attach(clients.sqs);
    // Each handler call is one invocation of its Lambda when metered.
    const asLambda = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
      meter ? meter.timed(name, fn) : fn;
    const relayQueues = await createRelayQueues(clients.sqs);
    const { commandsQueueUrl, resultsQueueUrl } = relayQueues;
    const queueStats = createSqsQueueStats({
      client: clients.sqs,
      queues: relayQueues.watched,
      now: () => clock.now(),
    });

    let lab: Lab | undefined;
    if (opts.lab) {
      const labConfig = typeof opts.lab === 'object' ? opts.lab : undefined;
      lab = await startLab(labConfig, { timeScale, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
      stops.push(() => (lab as Lab).stop());
    }

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
    const notifier: Notifier | undefined = opts.notifier;
    const platform = buildPlatform({
      settings: {
        TABLE_NAME,
        COMMANDS_QUEUE_URL: commandsQueueUrl,
        STATE_MACHINE_ARNS: JSON.stringify(stateMachineArns),
        HEALTH_READS: opts.healthReads ? 'on' : 'off',
      },
      clients,
      seams: {
        scheduler: () => scheduler,
        relayKeys: async () => cloudKeys,
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
      ...(meter ? { onTransition: () => meter.transition() } : {}),
      validationCacheDir: fileURLToPath(new URL('../../node_modules/.cache/rackops-asl/', import.meta.url)),
    });
    stops.push(() => engine.stop());
    // The handlers reach the engine through the Step Functions API and the real SDK client, with the adapter
    // the Lambdas use (createSfnOrchestrator); only the endpoint differs.
    const sfnApi = await startSfnApi(engine, { logger: log.child({ part: 'sfn-api' }) });
    stops.push(() => sfnApi.close());
    sfnEndpoint = sfnApi.endpoint;
    // Built once the API listens: these two hold the orchestrator.
    const orchestrator = platform.orchestrator;
    const result = resultFromPlatform(
      platform,
      opts.onInventoryPage ? { onInventoryPage: opts.onInventoryPage } : {},
    );
    const claim = claimFromPlatform(platform);

    const poller = startResultsPoller({
      sqs: clients.sqs,
      queueUrl: resultsQueueUrl,
      handle: asLambda('result', result),
      logger: log,
    });
    stops.push(() => poller.stop());
    stops.push(() => scheduler.stop());

    // Progress doubles as the heartbeat: several per heartbeat window.
    const agentProgressSeconds = Math.min(
      5,
      Math.max(HEARTBEAT * 1000 * timeScale, minHeartbeatMs) / 1000 / 4,
    );
    let agent: InProcessAgent | undefined;
    if (lab && opts.agent !== false) {
      agent = startInProcessAgent({
        lab,
        sqsEndpoint: sqsEmu.endpoint,
        commandsUrl: commandsQueueUrl,
        resultsUrl: resultsQueueUrl,
        signingKey: relayKey,
        dir: join(dataDir, 'relay'),
        timeScale,
        progressSeconds: agentProgressSeconds,
        logger: log.child({ part: 'agent' }),
        ...(meter ? { meter } : {}),
        ...(opts.zfs ? { zfs: opts.zfs } : {}),
      });
      stops.push(() => (agent as InProcessAgent).stop());
    }

    // Only now that every handler is wired: continue what was running before a restart, fire overdue schedules.
    const resumed = await engine.resumeAll();
    if (resumed > 0) log.info({ resumed }, 'resumed executions after restart');
    scheduler.start();
    if (lab && agent && (opts.syncInventoryAtStart ?? persistent)) {
      await syncInventoryNow({ claim, store, logger: log }, labInventorySources(lab), 120_000);
    }

    let stopping: Promise<void> | undefined;
    return {
      store,
      orchestrator,
      scheduler,
      engine,
      queueStats,
      startJob: platform.startJob,
      ...(lab ? { lab } : {}),
      ...(agent ? { agent } : {}),
      config: {
        dataDir,
        persistent,
        timeScale,
        tableName: TABLE_NAME,
        dynamoEndpoint: dynalite.endpoint,
        sqsEndpoint: sqsEmu.endpoint,
        sfnEndpoint: sfnApi.endpoint,
        stateMachineArns,
        commandsQueueUrl,
        resultsQueueUrl,
        commandsDeadLetterUrl: relayQueues.commandsDeadLetterUrl,
        resultsDeadLetterUrl: relayQueues.resultsDeadLetterUrl,
        relayKeyFile,
        agentProgressSeconds,
      },
      setRelayKeys(keys) {
        cloudKeys = keys;
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A key per data dir, so an agent started in another process can read the same file. Mode 0600. */
function readOrCreateKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
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

/** The lab's inventory sources: its vCenters and OMEs. */
export function labInventorySources(lab: LabAccess): InventorySource[] {
  return [
    ...lab.endpoints.vcenters.map((v) => ({ source: 'vcenter' as const, id: v.id })),
    ...lab.endpoints.omes.map((o) => ({ source: 'ome' as const, id: o.id })),
  ];
}
