import type { Actor } from '@rackops/core/jobs/job.schema';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { Store } from '@rackops/core/ports/store.port';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import type { Logger } from 'pino';
import type { BotConfig, Role } from './config';
import type { JobCards } from './job-cards';
import type { GroupResolver } from './rbac';
import type { Sender } from './sender';

/** Read-only reports other teams provide (compliance); absent = "not available yet". */
export interface BotQueries {
  compliance?: (store: Store, clusterId: string) => Promise<string>;
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
  role: Role | undefined;
  sender: Sender;
}
