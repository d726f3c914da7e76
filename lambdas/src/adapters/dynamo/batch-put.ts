import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DocClient } from './lean-client';
import type { Item } from './table-items';

/** BatchWriteItem's limit. */
export const WRITES_PER_REQUEST = 25;

export interface BatchPutOptions {
  readonly doc: DocClient;
  readonly table: string;
  /** Pause before round `round` (≥ 1) of what the table left unprocessed. */
  readonly backoff: (round: number) => Promise<unknown>;
  /** Rounds before giving up on what is still unprocessed. */
  readonly maxRounds: number;
}

/**
 * Puts up to 25 items with one BatchWriteItem; what the table leaves unprocessed (throttling) goes again after
 * a backoff, until none is left or `maxRounds` have gone (then it throws). `written` hears each item as the
 * round that wrote it answers.
 */
export async function batchPut(o: BatchPutOptions, items: readonly Item[], written?: (item: Item) => void) {
  let pending = items;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= o.maxRounds) throw new Error(`BatchWriteItem: ${pending.length} items still unprocessed`);
    if (round > 0) await o.backoff(round);
    const res = await o.doc.send(
      new BatchWriteCommand({
        RequestItems: { [o.table]: pending.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    const left = new Set(
      (res.UnprocessedItems?.[o.table] ?? []).flatMap((w) =>
        w.PutRequest?.Item ? [itemKey(w.PutRequest.Item as Item)] : [],
      ),
    );
    if (written) for (const i of pending) if (!left.has(itemKey(i))) written(i);
    pending = pending.filter((i) => left.has(itemKey(i)));
  }
}

/** An item's table key, as one string. */
export const itemKey = (item: Item): string => `${String(item.pk)}\u0000${String(item.sk)}`;
