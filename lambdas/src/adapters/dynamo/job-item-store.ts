import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JobItemKind, JobItemStore } from '@rackops/core/ports/job-item-store.port';
import type { TableAccess } from './table-access';
import { assertItemSize, jobPk } from './table-items';

/** A job's keyed side items (blockers, resolutions, approvals, tokens, …): `ITEM#kind#key` under the job. */
export function createJobItemStore({ doc, table, iso, queryAll }: TableAccess): JobItemStore {
  return {
    async putJobItem<T>(jobId: string, kind: JobItemKind, key: string, data: T) {
      const item = { pk: jobPk(jobId), sk: `ITEM#${kind}#${key}`, key, data, updatedAt: iso() };
      assertItemSize(`${kind} ${key} of job ${jobId}`, item);
      await doc.send(new PutCommand({ TableName: table, Item: item }));
    },

    async getJobItem<T>(jobId: string, kind: JobItemKind, key: string) {
      const res = await doc.send(
        new GetCommand({
          TableName: table,
          Key: { pk: jobPk(jobId), sk: `ITEM#${kind}#${key}` },
          ConsistentRead: true,
        }),
      );
      return res.Item ? (res.Item.data as T) : undefined;
    },

    async listJobItems<T>(jobId: string, kind: JobItemKind) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':p': jobPk(jobId), ':s': `ITEM#${kind}#` },
        ConsistentRead: true,
      });
      return items.map((i) => ({ key: String(i.key), data: i.data as T }));
    },

    async deleteJobItem(jobId, kind, key) {
      await doc.send(
        new DeleteCommand({ TableName: table, Key: { pk: jobPk(jobId), sk: `ITEM#${kind}#${key}` } }),
      );
    },
  };
}
