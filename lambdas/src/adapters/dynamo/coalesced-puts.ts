import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { WRITES_PER_REQUEST, batchPut, itemKey } from './batch-put';
import type { DocClient } from './lean-client';
import type { Item } from './table-items';

/** Rounds of retrying what the table left unprocessed before the callers hear of it. */
const MAX_ROUNDS = 8;

interface Waiting {
  readonly item: Item;
  readonly key: string;
  readonly settle: (err?: unknown) => void;
}

export interface CoalescedPutsOptions {
  readonly doc: DocClient;
  readonly table: string;
  readonly backoff: (round: number) => Promise<unknown>;
  /** Requests out at once; writes made meanwhile wait and go together in the next one. @default 2 */
  readonly inFlight?: number;
}

/**
 * Unconditional puts of items no caller reads back at once (audit events). A write made while `inFlight`
 * requests are already out waits for one of them and goes with every other write that waited, as one
 * BatchWriteItem of up to 25 items, instead of a request each: a burst of turns (fifty people at once on one
 * process, or a results batch) makes a few requests where it made one per event. A lone write is a plain
 * PutItem, as before. Each caller's promise settles with its own item: written, or the error that kept it out
 * (what the table leaves unprocessed is retried with backoff, as the inventory's batches are).
 */
export function coalescedPuts(opts: CoalescedPutsOptions): (item: Item) => Promise<void> {
  const queue: Waiting[] = [];
  const limit = Math.max(1, opts.inFlight ?? 2);
  let running = 0;

  /** Settles each item once it is written; throws for the rest (settling an item twice changes nothing). */
  async function write(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      await opts.doc.send(new PutCommand({ TableName: opts.table, Item: batch[0]!.item }));
      batch[0]!.settle();
      return;
    }
    const byKey = new Map(batch.map((w) => [w.key, w]));
    await batchPut(
      { doc: opts.doc, table: opts.table, backoff: opts.backoff, maxRounds: MAX_ROUNDS },
      batch.map((w) => w.item),
      (item) => byKey.get(itemKey(item))?.settle(),
    );
  }

  /** The next request's items: in order, at most 25, never one key twice (a request may not name an item twice). */
  function nextBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < WRITES_PER_REQUEST; ) {
      const w = queue[i]!;
      if (keys.has(w.key)) {
        i++;
        continue;
      }
      keys.add(w.key);
      batch.push(w);
      queue.splice(i, 1);
    }
    return batch;
  }

  function pump(): void {
    while (running < limit && queue.length > 0) {
      const batch = nextBatch();
      running++;
      write(batch)
        .catch((err: unknown) => {
          for (const w of batch) w.settle(err ?? new Error('the write failed'));
        })
        .finally(() => {
          running--;
          pump();
        });
    }
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({
        item,
        key: itemKey(item),
        settle: (err) => (err === undefined ? resolve() : reject(err)),
      });
      pump();
    });
}
