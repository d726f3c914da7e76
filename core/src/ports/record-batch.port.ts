import type { RecordInput } from './store.port';

export interface RecordKey {
  type: string;
  id: string;
}

/** What incremental ingestion compares: a record without its data. */
export interface RecordHead {
  type: string;
  id: string;
  parent?: string;
  hash?: string;
  gone?: boolean;
  version: number;
}

/** A whole record written unconditionally at the version the writer computed from the head it read. */
export type RecordWrite = RecordInput<unknown> & { version: number };

export interface RecordRefused {
  type: string;
  id: string;
  message: string;
}

/**
 * Many records per Store request, for inventory ingestion at scale (tens of thousands of records per sync):
 * one request reads up to 100 heads (DynamoDB BatchGetItem) or writes up to 25 records (BatchWriteItem).
 * Batch writes cannot carry conditions: callers write only records whose head they just read, and accept that
 * of two concurrent writers of one record the last wins (for inventory both carry what a device reported).
 */
export interface RecordBatch {
  /** Heads of these records (consistent reads), keyed by `recordKeyOf`; absent records are missing from the map. */
  getRecordHeads(keys: readonly RecordKey[]): Promise<Map<string, RecordHead>>;
  /**
   * Write these records (unprocessed items retried with backoff until written, or an error). A record too big
   * for one Store item is not written and is returned, so one bad device item does not fail the rest.
   */
  writeRecords(records: readonly RecordWrite[]): Promise<{ refused: RecordRefused[] }>;
}

export const recordKeyOf = (type: string, id: string): string => `${type}\u0000${id}`;

/** A Store that can also batch (the DynamoDB adapter does); others are ingested record by record. */
export function hasRecordBatch(store: object): store is RecordBatch {
  const s = store as Partial<RecordBatch>;
  return typeof s.getRecordHeads === 'function' && typeof s.writeRecords === 'function';
}
