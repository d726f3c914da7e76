import type { RecordStore, StoredRecord } from '../ports/record-store.port';
import { listAllRecords } from '../store/list-all-records';
import { ConflictError, NotFoundError } from '../util/errors';
import { parseOrThrow } from '../util/zod-errors';
import { ProtectionGroup, type ProtectionGroupInput, ReplicaRecord } from './protection-group.schema';

/** Store record types: one `protection-group` per group, one `replica` per successful sync (parent = group). */
export const PROTECTION_GROUP_TYPE = 'protection-group';
export const REPLICA_TYPE = 'replica';

export interface VersionedGroup {
  value: ProtectionGroup;
  storeVersion: number;
}

/**
 * Protection groups on the Store's generic records: every read parsed with zod, every change conditional
 * on the version read, so a replica recorded by one run cannot silently overwrite a pause from chat.
 */
export function createProtectionGroupStore(store: RecordStore) {
  const parse = (rec: StoredRecord<unknown>): VersionedGroup => ({
    value: parseOrThrow(ProtectionGroup, rec.data, `stored protection group ${rec.id}`),
    storeVersion: rec.version,
  });

  const listAll = (type: string, parent?: string) => listAllRecords(store, type, parent);

  const api = {
    async create(input: ProtectionGroupInput): Promise<ProtectionGroup> {
      const value = parseOrThrow(ProtectionGroup, input, 'protection group');
      try {
        await store.putRecord(
          { type: PROTECTION_GROUP_TYPE, id: value.name, data: value },
          { ifAbsent: true },
        );
      } catch (err) {
        if (err instanceof ConflictError)
          throw new ConflictError(`protection group ${value.name} already exists`);
        throw err;
      }
      return value;
    },

    async get(name: string): Promise<VersionedGroup | undefined> {
      const rec = await store.getRecord(PROTECTION_GROUP_TYPE, name);
      return rec ? parse(rec) : undefined;
    },

    async list(): Promise<ProtectionGroup[]> {
      const all = (await listAll(PROTECTION_GROUP_TYPE)).map((r) => parse(r).value);
      return all.sort((a, b) => a.name.localeCompare(b.name));
    },

    /** Apply `change` to the stored group; ConflictError when it changed since it was read. */
    async update(
      name: string,
      change: (g: ProtectionGroup) => ProtectionGroupInput,
    ): Promise<ProtectionGroup> {
      const read = await api.get(name);
      if (!read) throw new NotFoundError('protection group', name);
      const value = parseOrThrow(ProtectionGroup, change(read.value), 'protection group');
      await store.putRecord(
        { type: PROTECTION_GROUP_TYPE, id: name, data: value },
        { ifVersion: read.storeVersion },
      );
      return value;
    },

    /** One `replica` record per snapshot (a replayed record is the same item) and the group's lastReplica. */
    async recordReplica(name: string, replica: ReplicaRecord): Promise<ProtectionGroup> {
      const value = parseOrThrow(ReplicaRecord, replica, 'replica');
      await store.putRecord({
        type: REPLICA_TYPE,
        id: `${name}@${value.snapshot}`,
        parent: name,
        sortKey: value.snapshotAt,
        data: value,
      });
      return api.update(name, (g) =>
        g.lastReplica && g.lastReplica.snapshotAt >= value.snapshotAt ? g : { ...g, lastReplica: value },
      );
    },

    async listReplicas(name: string): Promise<ReplicaRecord[]> {
      const all = (await listAll(REPLICA_TYPE, name)).map((r) =>
        parseOrThrow(ReplicaRecord, r.data, `stored replica ${r.id}`),
      );
      return all.sort((a, b) => (a.snapshotAt < b.snapshotAt ? -1 : 1));
    },
  };
  return api;
}

export type ProtectionGroupStore = ReturnType<typeof createProtectionGroupStore>;
