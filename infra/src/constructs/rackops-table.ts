import { TABLE_LAYOUT } from '@rackops/core/store/table-layout';
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface RackOpsTableProps {
  /** Customer-managed key encrypting the table (and its backups and streams). */
  readonly encryptionKey: IKey;
  /**
   * Refuse deletion through the API (CloudFormation included) until an operator turns it off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The single RackOps table. Its key schema and indexes come from core's TABLE_LAYOUT, the same constant the
 * DynamoDB Store adapter uses, so the table and the code that queries it cannot drift apart.
 */
export class RackOpsTable extends Construct {
  readonly table: ITable;

  constructor(scope: Construct, id: string, props: RackOpsTableProps) {
    super(scope, id);
    const string = AttributeType.STRING;
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_LAYOUT.partitionKey, type: string },
      sortKey: { name: TABLE_LAYOUT.sortKey, type: string },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: TABLE_LAYOUT.ttlAttribute,
      // All job history, audit and inventory lives here: never let a stack operation delete it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_LAYOUT.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: string },
        sortKey: { name: index.sortKey, type: string },
        // Items are small (DESIGN §4) and every index query returns whole items.
        projectionType: ProjectionType.ALL,
      });
    }
    this.table = table;
  }
}
