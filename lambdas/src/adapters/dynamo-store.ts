import type { RecordBatch } from '@rackops/core/ports/record-batch.port';
import type { Store } from '@rackops/core/ports/store.port';
import { createDynamoRecordBatch } from './dynamo-record-batch';
import { createAuditStore } from './dynamo/audit-store';
import { createJobItemStore } from './dynamo/job-item-store';
import { createJobStore } from './dynamo/job-store';
import { migrateTable } from './dynamo/migrate-table';
import { createRecordStore } from './dynamo/record-store';
import { createStepLogStore } from './dynamo/step-log-store';
import { createTableAccess, type DynamoStoreOptions } from './dynamo/table-access';

export type { DynamoStoreOptions } from './dynamo/table-access';

/** The Store plus batched record reads and writes (inventory ingestion at scale). */
export type DynamoStore = Store & RecordBatch;

/**
 * The Store on DynamoDB (and on dynalite locally), composed of one part per concern (./dynamo/). Single-item
 * conditional writes only: dynalite has no transactions, and each write is designed so that one conditional
 * item write is enough.
 */
export function createDynamoStore(opts: DynamoStoreOptions): DynamoStore {
  const access = createTableAccess(opts);
  const audit = createAuditStore(access);
  const records = createRecordStore(access);
  const store: Store = {
    migrate: () => migrateTable(opts.client, access.table, records.putRecord),
    ...createJobStore(access, audit),
    ...createStepLogStore(access),
    ...audit,
    ...createJobItemStore(access),
    ...records,
  };
  return Object.assign(
    store,
    createDynamoRecordBatch({ doc: access.doc, tableName: access.table, now: access.now }),
  );
}
