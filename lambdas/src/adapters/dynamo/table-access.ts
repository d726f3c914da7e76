import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '@rackops/core/ports/page';
import { type DocClient, leanDocumentClient } from './lean-client';
import { decodeCursor, encodeCursor, type Item } from './table-items';

export interface DynamoStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Optimistic-concurrency retries for writes that did not name an expected version. @default 20 */
  readonly maxRetries?: number;
}

/** What every part of the Store shares: the table, the clock, the retry policy and paged queries. */
export interface TableAccess {
  readonly doc: DocClient;
  readonly table: string;
  readonly now: () => Date;
  readonly iso: () => string;
  readonly maxRetries: number;
  readonly backoff: (attempt: number) => Promise<unknown>;
  query(input: Omit<QueryCommandInput, 'TableName'>, page?: PageRequest): Promise<Page<Item>>;
  queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]>;
}

/** How the Store marshals items: undefined fields dropped, class instances refused. */
export const STORE_MARSHALL_OPTIONS = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: false,
} as const;

export function createTableAccess(opts: DynamoStoreOptions): TableAccess {
  const doc = leanDocumentClient(opts.client, STORE_MARSHALL_OPTIONS);
  const table = opts.tableName;
  const now = opts.now ?? (() => new Date());
  /** Jittered backoff between optimistic retries, so contending writers spread out instead of colliding again. */
  const backoff = (attempt: number) =>
    new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));

  async function query(input: Omit<QueryCommandInput, 'TableName'>, page?: PageRequest): Promise<Page<Item>> {
    const res = await doc.send(
      new QueryCommand({
        TableName: table,
        ...input,
        Limit: page?.limit,
        ExclusiveStartKey: decodeCursor(page?.cursor),
      }),
    );
    const cursor = encodeCursor(res.LastEvaluatedKey as Item | undefined);
    return { items: (res.Items ?? []) as Item[], ...(cursor ? { cursor } : {}) };
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const out: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await query(input, { cursor });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  return {
    doc,
    table,
    now,
    iso: () => now().toISOString(),
    maxRetries: opts.maxRetries ?? 20,
    backoff,
    query,
    queryAll,
  };
}
