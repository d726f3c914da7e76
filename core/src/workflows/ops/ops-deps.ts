import type { Catalog } from '../../catalog/catalog.schema';
import type { Job } from '../../jobs/job.schema';
import type { Clock } from '../../ports/clock.port';
import type { Notifier } from '../../ports/notifier.port';
import type { Orchestrator } from '../../ports/orchestrator.port';
import type { Store } from '../../ports/store.port';

/** Where the Dell catalog comes from, read when a job runs (never cached from scheduling time). */
export interface CatalogSource {
  /** `systemIds` (4-digit hex): the job's models; a source may drop components of other models. */
  load(job: Job, only?: { systemIds?: readonly string[] }): Promise<{ catalog: Catalog; url?: string }>;
}

export interface OpsDeps {
  store: Store;
  notifier: Notifier;
  clock: Clock;
  catalog?: CatalogSource;
  /** Answers the begin tasks that wait for a wake-up (begin-waits.ts). */
  tasks?: Pick<Orchestrator, 'sendTaskSuccess' | 'sendTaskFailure'>;
  /**
   * Takes a write no decision waits for (what the card shows of the job, e.g. its batch): the op's call awaits it
   * after the op's answer has gone, and a failure is only logged. Without it, the op awaits the write itself.
   */
  later?: (write: Promise<unknown>) => void;
}
