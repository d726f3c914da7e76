import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { MANIFESTS_SINCE_CREATION } from '@rackops/core/inventory/children-manifest';
import type { RecordStore } from '@rackops/core/ports/record-store.port';
import { TABLE_LAYOUT } from '@rackops/core/store/table-layout';

/**
 * Create the table and its indexes (an existing one is kept) and wait until all are ACTIVE. `putRecord`
 * marks a newly created table as holding only manifest-ingested groups.
 */
export async function migrateTable(
  client: DynamoDBClient,
  table: string,
  putRecord: RecordStore['putRecord'],
): Promise<void> {
  const attrs = new Set<string>(['pk', 'sk']);
  for (const ix of TABLE_LAYOUT.indexes) {
    attrs.add(ix.partitionKey);
    attrs.add(ix.sortKey);
  }
  let created = false;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_LAYOUT.indexes.map((ix) => ({
          IndexName: ix.name,
          KeySchema: [
            { AttributeName: ix.partitionKey, KeyType: 'HASH' },
            { AttributeName: ix.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    created = true;
  } catch (err) {
    if (
      !(
        err instanceof ResourceInUseException ||
        (err instanceof Error && err.name === 'ResourceInUseException')
      )
    ) {
      throw err;
    }
  }
  for (let i = 0; i < 600; i++) {
    const res = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexesActive = (res.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (res.Table?.TableStatus === 'ACTIVE' && indexesActive) {
      // A new table holds only groups ingested with children manifests (core/src/inventory/children-manifest.ts).
      if (created) await putRecord({ ...MANIFESTS_SINCE_CREATION, data: {} });
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}
