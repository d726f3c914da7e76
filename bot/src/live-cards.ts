import type { Clock } from '@rackops/core/ports/clock.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { Store } from '@rackops/core/ports/store.port';
import { ConflictError } from '@rackops/core/util/errors';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { JobCards } from './job-cards';
import { loadJobCard } from './records';

const LIVE_RECORD = 'job-card-live';
const LiveState = z.object({ at: z.number(), hash: z.string().optional() });
type LiveState = z.infer<typeof LiveState>;

export type LiveOutcome = 'no-card' | 'throttled' | 'updated';

/**
 * Live progress for processes that live no longer than one call (the job-ops Lambda): after a workflow's write,
 * the job's card is updated in place at most once per `minIntervalMs` per job, across every process — the time
 * and the hash of the card last sent are kept in the Store, and the slot is taken with a conditional write, so
 * two concurrent calls (a Map of hosts) do not both send. The card is rendered from the Store when sent, so the
 * latest state wins; an unchanged card is not sent. A write inside the interval is carried by the job's next
 * call after it (the workflow calls on every step and cancel check) or by the job's end, which is always sent;
 * Universal Actions `refresh` makes an open chat ask for the current card.
 */
export class LiveCards implements JobProgress {
  constructor(
    private readonly deps: {
      store: Store;
      jobCards: JobCards;
      clock: Clock;
      logger: Pick<Logger, 'warn'>;
      minIntervalMs: number;
    },
  ) {}

  async changed(jobId: string): Promise<void> {
    await this.update(jobId).catch((err: unknown) =>
      this.deps.logger.warn(
        { jobId, err: err instanceof Error ? err.message : String(err) },
        'live card update failed',
      ),
    );
  }

  async update(jobId: string): Promise<LiveOutcome> {
    const { store, clock } = this.deps;
    const card = await loadJobCard(store, jobId);
    if (!card || card.final) return 'no-card';
    const rec = await store.getRecord<unknown>(LIVE_RECORD, jobId);
    const parsed = LiveState.safeParse(rec?.data);
    const prev: LiveState | undefined = parsed.success ? parsed.data : undefined;
    const now = clock.now().getTime();
    if (prev && now - prev.at < this.deps.minIntervalMs) return 'throttled';
    const claim = { type: LIVE_RECORD, id: jobId, data: { ...prev, at: now } };
    try {
      const won = await store.putRecord(claim, rec ? { ifVersion: rec.version } : { ifAbsent: true });
      if (won !== 'written') return 'throttled';
    } catch (err) {
      if (err instanceof ConflictError) return 'throttled';
      throw err;
    }
    await this.deps.jobCards.updateNow(jobId, prev?.hash ? { ifChangedFrom: prev.hash } : {});
    const hash = this.deps.jobCards.sentHash(jobId);
    if (hash && hash !== prev?.hash)
      await store.putRecord({ type: LIVE_RECORD, id: jobId, data: { at: now, hash } }).catch(() => undefined);
    return 'updated';
  }
}
