import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { WRITES_PER_REQUEST, batchPut } from './dynamo/batch-put';
import type { DocClient } from './dynamo/lean-client';
import {
  type RecordBatch,
  type RecordHead,
  type RecordKey,
  type RecordRefused,
  type RecordWrite,
  recordKeyOf,
} from '@rackops/core/ports/record-batch.port';
import { MAX_ITEM_BYTES } from '@rackops/core/store/table-layout';
import { PayloadTooLargeError } from '@rackops/core/util/errors';

type Item = Record<string, unknown>;

/** DynamoDB's own limits per request. */
const GET_KEYS_PER_REQUEST = 100;
/** Requests of one call in flight (a page group is a few of each). */
const REQUESTS_IN_FLIGHT = 4;
/** Rounds of unprocessed items before giving up (the page is then redelivered and ingested again). */
const MAX_ROUNDS = 12;

export interface DynamoRecordBatchOptions {
  readonly doc: DocClient;
  readonly tableName: string;
  readonly now: () => Date;
  /** Pause before retrying unprocessed items of round `round` (≥ 1). @default jittered exponential, ≤ 1 s */
  readonly backoff?: (round: number) => Promise<void>;
}

/**
 * The record layout the Store's putRecord writes (lambdas/src/adapters/dynamo-store.ts), as whole items:
 * the same keys and index attributes, so batch-written records read back through every Store query.
 */
export function recordItem(rec: RecordWrite, updatedAt: string): Item {
  const item: Item = {
    pk: `REC#${rec.type}#${rec.id}`,
    sk: '#REC',
    type: rec.type,
    id: rec.id,
    data: rec.data,
    gone: rec.gone ?? false,
    updatedAt,
    version: rec.version,
    gsi1pk: `TYPE#${rec.type}`,
    gsi1sk: rec.sortKey ?? rec.id,
  };
  if (rec.parent !== undefined) {
    item.parent = rec.parent;
    item.gsi2pk = `PARENT#${rec.type}#${rec.parent}`;
    item.gsi2sk = rec.id;
  }
  if (rec.sortKey !== undefined) item.sortKey = rec.sortKey;
  if (rec.hash !== undefined) item.hash = rec.hash;
  if (rec.expiresAt !== undefined) item.expiresAt = rec.expiresAt;
  return item;
}

const defaultBackoff = (round: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** round)));

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** RecordBatch on DynamoDB: BatchGetItem of 100 keys, BatchWriteItem of 25 puts, unprocessed items retried. */
export function createDynamoRecordBatch(opts: DynamoRecordBatchOptions): RecordBatch {
  const { doc, tableName: table } = opts;
  const backoff = opts.backoff ?? defaultBackoff;

  async function getHeads(keys: Item[], into: Map<string, RecordHead>): Promise<void> {
    let pending: Item[] = keys;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchGetItem: ${pending.length} keys still unprocessed`);
      if (round > 0) await backoff(round);
      const res = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: '#t, #i, #p, #h, #g, #v, #x',
              ExpressionAttributeNames: {
                '#t': 'type',
                '#i': 'id',
                '#p': 'parent',
                '#h': 'hash',
                '#g': 'gone',
                '#v': 'version',
                '#x': 'expiresAt',
              },
            },
          },
        }),
      );
      const nowS = opts.now().getTime() / 1000;
      for (const i of res.Responses?.[table] ?? []) {
        if (typeof i.expiresAt === 'number' && i.expiresAt <= nowS) continue;
        const head: RecordHead = {
          type: String(i.type),
          id: String(i.id),
          version: typeof i.version === 'number' ? i.version : 0,
          ...(typeof i.parent === 'string' ? { parent: i.parent } : {}),
          ...(typeof i.hash === 'string' ? { hash: i.hash } : {}),
          ...(i.gone === true ? { gone: true } : {}),
        };
        into.set(recordKeyOf(head.type, head.id), head);
      }
      pending = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
    }
  }

  const putAll = (items: Item[]) => batchPut({ doc, table, backoff, maxRounds: MAX_ROUNDS }, items);

  return {
    async getRecordHeads(keys: readonly RecordKey[]) {
      const unique = new Map<string, Item>();
      for (const k of keys)
        unique.set(recordKeyOf(k.type, k.id), { pk: `REC#${k.type}#${k.id}`, sk: '#REC' });
      const heads = new Map<string, RecordHead>();
      await eachLimited(chunksOf([...unique.values()], GET_KEYS_PER_REQUEST), REQUESTS_IN_FLIGHT, (c) =>
        getHeads(c, heads),
      );
      return heads;
    },

    async writeRecords(records: readonly RecordWrite[]) {
      const updatedAt = opts.now().toISOString();
      const refused: RecordRefused[] = [];
      // One request may not name an item twice; of two writes of one record the later one is kept.
      const items = new Map<string, Item>();
      for (const rec of records) {
        const item = recordItem(rec, updatedAt);
        const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
        if (bytes > MAX_ITEM_BYTES) {
          refused.push({
            type: rec.type,
            id: rec.id,
            message: new PayloadTooLargeError(`${rec.type} ${rec.id}`, bytes, MAX_ITEM_BYTES).message,
          });
          continue;
        }
        items.set(recordKeyOf(rec.type, rec.id), item);
      }
      await eachLimited(chunksOf([...items.values()], WRITES_PER_REQUEST), REQUESTS_IN_FLIGHT, putAll);
      return { refused };
    },
  };
}
