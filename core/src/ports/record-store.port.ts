import type { Page, PageRequest } from './page';

/** A generic record: inventory objects, windows, protection groups, settings, conversation refs, heartbeats... */
export interface StoredRecord<T = Record<string, unknown>> {
  type: string;
  id: string;
  /** Groups records under a parent (hosts under a cluster, VMs under a host); listable by parent. */
  parent?: string;
  /** Orders records of one type (e.g. a window's next start); listable by type in this order. */
  sortKey?: string;
  data: T;
  /** Content hash; writes with `ifHashDiffers` skip unchanged content. */
  hash?: string;
  /** Marked gone (vanished from the source), not deleted. */
  gone?: boolean;
  version: number;
  updatedAt: string;
  /** Epoch seconds after which the record is expired (DynamoDB TTL; filtered on read locally). */
  expiresAt?: number;
}

export type RecordInput<T> = Omit<StoredRecord<T>, 'version' | 'updatedAt'>;

/** Reading and writing one record at a time. */
export interface RecordReader {
  getRecord<T>(type: string, id: string): Promise<StoredRecord<T> | undefined>;
  listRecordsByType<T>(
    type: string,
    opts?: PageRequest & { sortKeyBefore?: string; includeGone?: boolean },
  ): Promise<Page<StoredRecord<T>>>;
  listRecordsByParent<T>(
    type: string,
    parent: string,
    opts?: PageRequest & { includeGone?: boolean },
  ): Promise<Page<StoredRecord<T>>>;
  /** Keys and hashes only (cheap diffing for incremental sync). */
  listRecordHashes(type: string, parent: string): Promise<Map<string, { hash?: string; gone?: boolean }>>;
}

/**
 * Generic typed records (inventory, windows, protection groups, settings, heartbeats): the domain stores in
 * core (windows/window-store.ts, replication/protection-group-store.ts) are built on this port.
 */
export interface RecordStore extends RecordReader {
  /**
   * Write a record. With `ifHashDiffers`, a record whose stored hash equals `hash` (and is not gone) is not
   * written and 'unchanged' is returned. With `ifVersion`, the write is conditional on the stored version.
   */
  putRecord<T>(
    rec: RecordInput<T>,
    opts?: { ifHashDiffers?: boolean; ifVersion?: number; ifAbsent?: boolean },
  ): Promise<'written' | 'unchanged'>;
  markRecordGone(type: string, id: string): Promise<void>;
  deleteRecord(type: string, id: string): Promise<void>;
}
