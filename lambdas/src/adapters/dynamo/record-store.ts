import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PageRequest } from '@rackops/core/ports/page';
import type { RecordInput, RecordStore, StoredRecord } from '@rackops/core/ports/record-store.port';
import { ConflictError, NotFoundError } from '@rackops/core/util/errors';
import type { TableAccess } from './table-access';
import { assertItemSize, type Item, isConditionFailure, REC_SK, recPk, stripKeys } from './table-items';

/** Typed records (inventory, windows, protection, …): one `REC#type#id` item, indexed by type and by parent. */
export function createRecordStore({ doc, table, now, iso, query, queryAll }: TableAccess): RecordStore {
  const recordFrom = <T>(item: Item): StoredRecord<T> => {
    const { pk: _pk, sk: _sk, ...rest } = item;
    return stripKeys(rest) as unknown as StoredRecord<T>;
  };

  const notExpired = (item: Item): boolean => {
    const exp = item.expiresAt;
    return typeof exp !== 'number' || exp > now().getTime() / 1000;
  };

  return {
    async putRecord<T>(
      rec: RecordInput<T>,
      o?: { ifHashDiffers?: boolean; ifVersion?: number; ifAbsent?: boolean },
    ) {
      // One conditional UpdateItem, no read: the version is bumped by ADD, and "unchanged" is a failed condition
      // on the hash. Full inventory syncs write tens of thousands of records, so a read per write would double them.
      const set: Record<string, unknown> = {
        type: rec.type,
        id: rec.id,
        data: rec.data,
        gone: rec.gone ?? false,
        updatedAt: iso(),
        gsi1pk: `TYPE#${rec.type}`,
        gsi1sk: rec.sortKey ?? rec.id,
      };
      const remove: string[] = [];
      const optional = {
        parent: rec.parent,
        gsi2pk: rec.parent !== undefined ? `PARENT#${rec.type}#${rec.parent}` : undefined,
        gsi2sk: rec.parent !== undefined ? rec.id : undefined,
        sortKey: rec.sortKey,
        hash: rec.hash,
        expiresAt: rec.expiresAt,
      };
      for (const [k, v] of Object.entries(optional)) {
        if (v === undefined) remove.push(k);
        else set[k] = v;
      }
      assertItemSize(`${rec.type} ${rec.id}`, { ...set, pk: recPk(rec.type, rec.id), sk: REC_SK });

      const names: Record<string, string> = { '#ver': 'version' };
      const values: Item = { ':one': 1 };
      const assignments = Object.entries(set).map(([k, v], i) => {
        names[`#a${i}`] = k;
        values[`:a${i}`] = v;
        return `#a${i} = :a${i}`;
      });
      const removals = remove.map((k, i) => {
        names[`#r${i}`] = k;
        return `#r${i}`;
      });
      const conditions: string[] = [];
      if (o?.ifAbsent) conditions.push('attribute_not_exists(pk)');
      if (o?.ifVersion !== undefined) {
        conditions.push('#ver = :expected');
        values[':expected'] = o.ifVersion;
      }
      if (o?.ifHashDiffers && rec.hash !== undefined) {
        // Unchanged = same hash and not marked gone; such a record is not written at all.
        conditions.push('(attribute_not_exists(pk) OR #hh <> :hh OR #gg = :true)');
        names['#hh'] = 'hash';
        names['#gg'] = 'gone';
        values[':hh'] = rec.hash;
        values[':true'] = true;
      }
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: recPk(rec.type, rec.id), sk: REC_SK },
            UpdateExpression:
              `SET ${assignments.join(', ')} ADD #ver :one` +
              (removals.length ? ` REMOVE ${removals.join(', ')}` : ''),
            ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) {
          if (o?.ifHashDiffers && o.ifVersion === undefined && !o.ifAbsent) return 'unchanged';
          throw new ConflictError(`${rec.type} ${rec.id} was changed by someone else`);
        }
        throw err;
      }
      return 'written';
    },

    async getRecord<T>(type: string, id: string) {
      const res = await doc.send(
        new GetCommand({ TableName: table, Key: { pk: recPk(type, id), sk: REC_SK }, ConsistentRead: true }),
      );
      if (!res.Item || !notExpired(res.Item)) return undefined;
      return recordFrom<T>(res.Item);
    },

    async listRecordsByType<T>(
      type: string,
      page?: PageRequest & { sortKeyBefore?: string; includeGone?: boolean },
    ) {
      const before = page?.sortKeyBefore;
      const res = await query(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: before ? 'gsi1pk = :p AND gsi1sk <= :b' : 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': `TYPE#${type}`, ...(before ? { ':b': before } : {}) },
        },
        page,
      );
      const items = res.items
        .filter((i) => notExpired(i) && (page?.includeGone || i.gone !== true))
        .map(recordFrom<T>);
      return { items, ...(res.cursor ? { cursor: res.cursor } : {}) };
    },

    async listRecordsByParent<T>(
      type: string,
      parent: string,
      page?: PageRequest & { includeGone?: boolean },
    ) {
      const res = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :p',
          ExpressionAttributeValues: { ':p': `PARENT#${type}#${parent}` },
        },
        page,
      );
      const items = res.items
        .filter((i) => notExpired(i) && (page?.includeGone || i.gone !== true))
        .map(recordFrom<T>);
      return { items, ...(res.cursor ? { cursor: res.cursor } : {}) };
    },

    async listRecordHashes(type, parent) {
      const items = await queryAll({
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': `PARENT#${type}#${parent}` },
        ProjectionExpression: '#i, #h, #g',
        ExpressionAttributeNames: { '#i': 'id', '#h': 'hash', '#g': 'gone' },
      });
      const out = new Map<string, { hash?: string; gone?: boolean }>();
      for (const i of items) {
        out.set(String(i.id), {
          ...(typeof i.hash === 'string' ? { hash: i.hash } : {}),
          ...(i.gone === true ? { gone: true } : {}),
        });
      }
      return out;
    },

    async markRecordGone(type, id) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: recPk(type, id), sk: REC_SK },
            UpdateExpression: 'SET gone = :t, updatedAt = :u ADD version :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':t': true, ':u': iso(), ':one': 1 },
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) throw new NotFoundError(type, id);
        throw err;
      }
    },

    async deleteRecord(type, id) {
      await doc.send(new DeleteCommand({ TableName: table, Key: { pk: recPk(type, id), sk: REC_SK } }));
    },
  };
}
