import type { Actor, Job } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import type { Notifier } from '../ports/notifier.port';
import type { Orchestrator } from '../ports/orchestrator.port';
import type { Scheduler } from '../ports/scheduler.port';
import type { Store } from '../ports/store.port';

/**
 * What the chat-facing use-cases need. `startJob` is injected (core/src/usecases/start-job.ts in production) so these
 * use-cases stay independent of how an execution is started.
 */
export interface UseCaseDeps {
  store: Store;
  orchestrator: Orchestrator;
  scheduler: Scheduler;
  notifier: Notifier;
  clock: Clock;
  startJob: (jobId: string, actor: Actor) => Promise<Job | undefined>;
}

export const scheduleName = (jobId: string): string => `job-${jobId}`;
