import type { Actor, Job } from '@rackops/core/jobs/job.schema';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { CommandQueue } from '@rackops/core/ports/command-queue.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { startJob } from '@rackops/core/usecases/start-job';
import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import type { CatalogSource } from '@rackops/core/workflows/ops/ops-deps';
import { type Logger, pino } from 'pino';
import { createDynamoStore, type DynamoStore } from '../adapters/dynamo-store';
import { createEventBridgeScheduler } from '../adapters/eventbridge-scheduler';
import { createSfnOrchestrator, stateMachineArnsFromEnv } from '../adapters/sfn-orchestrator';
import { createSqsCommandQueue } from '../adapters/sqs-queues';
import type { AwsClients } from './clients';
import { secretRelayKeys } from './relay-keys';
import { requireSetting, type Settings } from './settings';

/** The notifier and live job cards; AWS builds them from the bot secret (notifications/aws-notifier.ts). */
export interface Notifications {
  notifier: Notifier;
  progress?: JobProgress;
}

/**
 * What differs between the runtimes besides endpoints: the local stack's own scheduler and relay keys (the
 * rotation tests swap them), its clock and logger, the bot's notifier, the lab's catalog and time scale.
 * Anything absent is built from the settings and clients, as in AWS.
 */
export interface PlatformSeams {
  orchestrator?: Orchestrator;
  /** Called on first use, so the local scheduler can be built on the platform's own store. */
  scheduler?: () => Scheduler;
  relayKeys?: () => Promise<KeyMaterial>;
  clock?: Clock;
  logger?: Logger;
  notifications?: (deps: {
    store: DynamoStore;
    logger: Logger;
    clients: AwsClients;
    settings: Settings;
  }) => Notifications;
  catalog?: CatalogSource;
  /** The lab's time scale for maintenance windows (local only). */
  windowTimeScale?: number;
}

/** Every dependency a RackOps function takes, built once per container (or per local stack) on first use. */
export interface Platform {
  readonly settings: Settings;
  readonly clients: AwsClients;
  readonly store: DynamoStore;
  readonly orchestrator: Orchestrator;
  /**
   * Answers task tokens only (job-ops answers the begins it woke): needs no STATE_MACHINE_ARNS, which job-ops
   * cannot have (the state machines name job-ops: a cycle).
   */
  readonly taskAnswers: Pick<Orchestrator, 'sendTaskSuccess' | 'sendTaskFailure'>;
  readonly scheduler: Scheduler;
  readonly commands: CommandQueue;
  readonly relayKeys: () => Promise<KeyMaterial>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly notifier: Notifier;
  readonly progress: JobProgress | undefined;
  /** The catalog seam; without it job-ops reads CATALOG_URL (kept out of here so other bundles skip the parser). */
  readonly catalog: CatalogSource | undefined;
  readonly windowTimeScale: number | undefined;
  /** core's startJob with this platform's store, orchestrator and clock (what the bot's use-cases inject). */
  startJob(jobId: string, actor: Actor): Promise<Job | undefined>;
}

const lazy = <T>(make: () => T): (() => T) => {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
};

/**
 * The one composition of the cloud side (DESIGN §1): the Lambda entries (composition/lambda.ts) and the local
 * stack (local/src/stack.ts) both build their functions from this, differing only in clients' endpoints and
 * the seams. Nothing is created until a function first needs it, so each Lambda needs only its own settings.
 */
export function buildPlatform(opts: {
  settings: Settings;
  clients: AwsClients;
  seams?: PlatformSeams;
}): Platform {
  const { settings, clients, seams = {} } = opts;
  const clock = seams.clock ?? systemClock;
  const logger = lazy(
    () => seams.logger ?? pino({ ...REDACTING_LOGGER, level: settings.LOG_LEVEL ?? 'info' }),
  );
  const store = lazy(() =>
    createDynamoStore({
      client: clients.dynamodb,
      tableName: requireSetting(settings, 'TABLE_NAME'),
      now: () => clock.now(),
    }),
  );
  const orchestrator = lazy(
    () =>
      seams.orchestrator ??
      createSfnOrchestrator({
        client: clients.sfn,
        stateMachineArns: stateMachineArnsFromEnv(settings),
      }),
  );
  const taskAnswers = lazy(
    () =>
      seams.orchestrator ??
      (settings.STATE_MACHINE_ARNS
        ? orchestrator()
        : createSfnOrchestrator({ client: clients.sfn, stateMachineArns: {} })),
  );
  const scheduler = lazy(
    () =>
      seams.scheduler?.() ??
      createEventBridgeScheduler({
        client: clients.scheduler,
        groupName: requireSetting(settings, 'SCHEDULE_GROUP_NAME'),
        targetArn: requireSetting(settings, 'CLAIM_FUNCTION_ARN'),
        roleArn: requireSetting(settings, 'SCHEDULER_ROLE_ARN'),
        ...(settings.SCHEDULES_DLQ_ARN ? { deadLetterArn: settings.SCHEDULES_DLQ_ARN } : {}),
      }),
  );
  const commands = lazy(() =>
    createSqsCommandQueue({ client: clients.sqs, queueUrl: requireSetting(settings, 'COMMANDS_QUEUE_URL') }),
  );
  const relayKeys =
    seams.relayKeys ??
    secretRelayKeys(
      () => clients.secretsManager,
      () => requireSetting(settings, 'RELAY_SIGNING_KEY_SECRET_ARN'),
    );
  const notifications = lazy(
    (): Notifications =>
      seams.notifications?.({ store: store(), logger: logger(), clients, settings }) ?? {
        notifier: { notify: async (event) => logger().info({ notification: event }, 'notification') },
      },
  );

  return {
    settings,
    clients,
    get store() {
      return store();
    },
    get orchestrator() {
      return orchestrator();
    },
    get taskAnswers() {
      return taskAnswers();
    },
    get scheduler() {
      return scheduler();
    },
    get commands() {
      return commands();
    },
    relayKeys,
    clock,
    get logger() {
      return logger();
    },
    get notifier() {
      return notifications().notifier;
    },
    get progress() {
      return notifications().progress;
    },
    catalog: seams.catalog,
    windowTimeScale: seams.windowTimeScale,
    startJob: (jobId, actor) =>
      startJob({ store: store(), orchestrator: orchestrator(), clock }, jobId, actor),
  };
}
