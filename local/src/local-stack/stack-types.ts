import type { Actor, Job } from '@rackops/core/jobs/job.schema';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { QueueStats } from '@rackops/core/ports/queue-stats.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { CatalogSource } from '@rackops/core/workflows/ops/ops-deps';
import type { Lab } from '@rackops/lab/index';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import type { ProgressMessage } from '@rackops/core/usecases/relay-message';
import type { Logger } from 'pino';
import type { LocalEngine } from '../engine/local-engine';
import type { AwsMeter } from '../metering/aws-meter';
import type { LocalBackups } from '../backup-bucket';
import type { InProcessAgent, InProcessAgentOptions } from '../runtime/in-process-agent';
import type { LocalScheduler } from '../scheduler/local-scheduler';

export interface LocalStackOptions {
  /** Where state persists (dynalite, relay key, agent ledger); `npm start` passes `.rackops`. Default: a temp dir removed on stop. */
  dataDir?: string;
  /**
   * A DynamoDB endpoint already serving (dynalite in a process of its own, as DynamoDB is never on the
   * orchestrator's event loop): the stack uses it instead of starting dynalite in this process, and leaves it
   * running on stop. @default dynalite in this process
   */
  dynamoEndpoint?: string;
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
  /** Called with the name of every state the engine enters (the rollout bench counts them by name). */
  onTransition?: (state: string) => void;
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
  /** The relay agent's `backups` config: the backup bucket in fauxqs, for an agent started in another process too. */
  backups: LocalBackups;
  /** The relay key file, for an agent started in another process. */
  relayKeyFile: string;
  /** Real seconds between the agent's progress messages (several per heartbeat window), for such an agent too. */
  agentProgressSeconds: number;
  /** The commands queue's visibility timeout for an agent in another process (shorter than the heartbeat window). */
  agentVisibilitySeconds: number;
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
