import type { Actor } from '@rackops/core/jobs/job.schema';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { QueueStats } from '@rackops/core/ports/queue-stats.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import type { Logger } from 'pino';
import type { CardKey } from './cards/card-data';
import type { BotConfig, Role } from './config';
import type { Identity } from './identity';
import type { JobCards } from './job-cards';
import type { GroupResolver } from './rbac';
import type { Sender } from './sender';

/** Read-only reports other teams provide (compliance); absent = "not available yet". */
export interface BotQueries {
  compliance?: (store: Store, clusterId: string) => Promise<string>;
  /** The relay queues' depths for `health` (SQS in AWS, the SQS emulator locally). */
  queues?: QueueStats;
}

/** Everything a handler may use. Built once per process in createBot. */
export interface BotRuntime {
  config: BotConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  usecases: UseCaseDeps;
  jobCards: JobCards;
  resolveGroups: GroupResolver;
  queries: BotQueries;
}

/** One request from one person in one conversation. */
export interface Turn {
  rt: BotRuntime;
  actor: Actor;
  /** How the sender's ids resolved to one person (see identity.ts). */
  identity: Identity;
  role: Role | undefined;
  sender: Sender;
  /** The message a card action came from (`replyToId`), when the channel says (Teams does; Web Chat does not). */
  replyToId?: string;
  /** Records read in this turn (records.ts `TurnReads`): one Store read per record per turn. */
  reads?: Map<string, Promise<unknown>>;
}

/** Cards drawn in a turn are signed for its conversation. */
export const cardKeyOf = (turn: Turn): CardKey => ({
  secret: turn.rt.config.cardSecret,
  conversationId: turn.sender.conversationId,
});
