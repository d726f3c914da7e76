import type { Cluster, Host } from '../inventory/inventory.schema';
import { INVENTORY_TYPES } from '../inventory/inventory.schema';
import type { RecordReader, StoredRecord } from '../ports/record-store.port';
import { UnknownTargetError } from './errors';

/** Find a record by id, or failing that by its `name` (operators type names; ids are for machines). */
async function findByIdOrName<T extends { name: string }>(
  store: RecordReader,
  type: string,
  idOrName: string,
): Promise<StoredRecord<T> | undefined> {
  const byId = await store.getRecord<T>(type, idOrName);
  if (byId && !byId.gone) return byId;
  const wanted = idOrName.toLowerCase();
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByType<T>(type, { limit: 200, cursor });
    const hit = page.items.find((r) => r.data.name.toLowerCase() === wanted);
    if (hit) return hit;
    cursor = page.cursor;
  } while (cursor);
  return undefined;
}

export async function findCluster(store: RecordReader, idOrName: string): Promise<Cluster | undefined> {
  return (await findByIdOrName<Cluster>(store, INVENTORY_TYPES.cluster, idOrName))?.data;
}

/**
 * The cluster, or an error that says what to do: a new user asks before anything was synced, so an empty
 * inventory says to sync first; otherwise it names a few clusters it knows (a typo) and still offers a sync
 * (a cluster created since the last one).
 */
export async function requireCluster(store: RecordReader, idOrName: string): Promise<Cluster> {
  const cluster = await findCluster(store, idOrName);
  if (cluster) return cluster;
  const known = (await store.listRecordsByType<Cluster>(INVENTORY_TYPES.cluster, { limit: 10 })).items;
  const names = known.map((r) => r.data.name).sort();
  throw new UnknownTargetError(
    'cluster',
    idOrName,
    names.length
      ? `known: ${names.join(', ')}; if it is new, run \`inventory sync\``
      : 'the inventory is empty: run `inventory sync` first',
  );
}

/** A host by canonical id (service tag), by service tag field, or by name. */
export async function findHost(store: RecordReader, idOrName: string): Promise<Host | undefined> {
  const direct = await findByIdOrName<Host>(store, INVENTORY_TYPES.host, idOrName);
  if (direct) return direct.data;
  return (await findByIdOrName<Host>(store, INVENTORY_TYPES.host, idOrName.toUpperCase()))?.data;
}

/**
 * Whether changes to a cluster need four-eyes approval: the inventory says so (a vCenter custom attribute on
 * the cluster), or the deployment's configuration names it (`PRODUCTION_CLUSTERS`, by name or id, any case).
 * Either is enough: configuration can add a cluster, never take one away.
 */
export function isProductionCluster(cluster: Cluster, configured: readonly string[] = []): boolean {
  if (cluster.production) return true;
  const keys = new Set([cluster.id, cluster.name].map((k) => k.toLowerCase()));
  return configured.some((c) => keys.has(c.trim().toLowerCase()));
}

export interface ResolvedTarget {
  kind: 'cluster' | 'host';
  id: string;
  name: string;
  /** Changes need four-eyes approval. A host is production when its cluster is. */
  production: boolean;
  clusterId?: string;
}

/** `productionClusters`: the configured production clusters (names or ids), see isProductionCluster. */
export async function resolveCluster(
  store: RecordReader,
  idOrName: string,
  productionClusters: readonly string[] = [],
): Promise<ResolvedTarget> {
  const cluster = await requireCluster(store, idOrName);
  return {
    kind: 'cluster',
    id: cluster.id,
    name: cluster.name,
    production: isProductionCluster(cluster, productionClusters),
    clusterId: cluster.id,
  };
}

export async function resolveHost(
  store: RecordReader,
  idOrName: string,
  productionClusters: readonly string[] = [],
): Promise<ResolvedTarget> {
  const host = await findHost(store, idOrName);
  if (!host) throw new UnknownTargetError('host', idOrName);
  const cluster = host.clusterId ? await findCluster(store, host.clusterId) : undefined;
  return {
    kind: 'host',
    id: host.id,
    name: host.name,
    // Unknown cluster membership is treated as production: the safe default.
    production: cluster ? isProductionCluster(cluster, productionClusters) : true,
    ...(host.clusterId ? { clusterId: host.clusterId } : {}),
  };
}
