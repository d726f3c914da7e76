import type { Logger } from 'pino';
import type { ExecutionRecord } from './execution-record';

/** An execution this engine is running now (its record, how to abort it, the work still pending for it). */
export interface LiveExecution {
  rec: ExecutionRecord;
  abort: () => void;
  done: Promise<void>;
  stopping?: 'stop' | 'shutdown';
  /** A terminal error found by the engine itself (States.DataLimitExceeded): the execution fails with it. */
  fatal?: { error: string; cause: string };
  /** Resume: the checkpointed state re-uses its token once. */
  reuse?: { state: string; token: string };
  persist: Promise<void>;
  /** The event-log consumer (checkpoints, transition count); ends when the execution does. */
  follow: Promise<void>;
  dirty?: boolean;
  writing?: boolean;
}

/**
 * Write the record. One writer per execution; changes made while a write is in flight are coalesced into
 * the next write (only the latest checkpoint matters), so fast state sequences do not queue up writes.
 */
export function persistLatest(
  live: LiveExecution,
  save: (rec: ExecutionRecord) => Promise<void>,
  log: Logger,
): void {
  live.dirty = true;
  if (live.writing) return;
  live.writing = true;
  live.persist = (async () => {
    while (live.dirty) {
      live.dirty = false;
      const snapshot = structuredClone(live.rec);
      try {
        await save(snapshot);
      } catch (err) {
        log.error({ err, executionId: snapshot.executionId }, 'cannot record execution');
      }
    }
    live.writing = false;
  })();
}
