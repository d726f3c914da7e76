import type { RecordReader, StoredRecord } from '../ports/record-store.port';

/** Every record of a type (or of a type under one parent), following the Store's page cursors to the end. */
export async function listAllRecords(
  store: RecordReader,
  type: string,
  parent?: string,
): Promise<StoredRecord<unknown>[]> {
  const out: StoredRecord<unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = parent
      ? await store.listRecordsByParent(type, parent, { limit: 100, ...(cursor ? { cursor } : {}) })
      : await store.listRecordsByType(type, { limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
