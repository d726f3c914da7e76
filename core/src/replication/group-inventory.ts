import {
  type Cluster,
  type Datastore,
  type Host,
  INVENTORY_TYPES,
  type Vm,
} from '../inventory/inventory.schema';
import type { RecordReader } from '../ports/record-store.port';
import { listAllRecords } from '../store/list-all-records';
import { isProductionCluster } from '../usecases/targets';
import { editDistance as distance } from '../util/edit-distance';
import { ValidationError } from '../util/errors';

const live = async <T>(store: RecordReader, type: string): Promise<T[]> =>
  (await listAllRecords(store, type)).filter((r) => !r.gone).map((r) => r.data as T);

/**
 * A VM of the group's source vCenter by id, moref or name (any case). Unknown: a clear error naming the
 * closest names, so a typo is fixed without a second look-up. `vcenterId` `none`: any vCenter.
 */
export async function resolveVm(store: RecordReader, vcenterId: string, text: string): Promise<Vm> {
  const vms = (await live<Vm>(store, INVENTORY_TYPES.vm)).filter(
    (v) => vcenterId === 'none' || v.vcenterId === vcenterId,
  );
  const wanted = text.toLowerCase();
  const hit =
    vms.find((v) => v.id === text || v.moref === text) ?? vms.find((v) => v.name.toLowerCase() === wanted);
  if (hit) return hit;
  const near = vms
    .map((v) => ({ name: v.name, d: distance(wanted, v.name.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(wanted.length / 3)) || x.name.toLowerCase().includes(wanted))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, 5)
    .map((x) => x.name);
  const where = vcenterId === 'none' ? 'the inventory' : `vCenter ${vcenterId}`;
  throw new ValidationError(
    `VM ${text} is not in ${where}${near.length ? `; did you mean ${near.join(', ')}?` : vms.length ? '' : ' (no VM known there: run `inventory sync`)'}`,
  );
}

/** A VM is production when its cluster is; a VM outside any known cluster cannot be shown harmless. */
export async function isProductionVm(
  store: RecordReader,
  vm: Vm,
  productionClusters: readonly string[],
): Promise<boolean> {
  const c = vm.clusterId
    ? (await store.getRecord<Cluster>(INVENTORY_TYPES.cluster, vm.clusterId))?.data
    : undefined;
  return !c || isProductionCluster(c, productionClusters);
}

/**
 * Whether changes to a group need four-eyes: when any cluster whose hosts mount its source datastore, or that
 * runs one of its VMs, is production (inventory or configuration, as for rollouts). A datastore or host the
 * inventory does not know cannot be shown harmless, so it counts as production: fail closed.
 */
export async function isProductionGroup(
  store: RecordReader,
  source: { vcenterId: string; datastore: string },
  vmMorefs: readonly string[],
  productionClusters: readonly string[],
): Promise<boolean> {
  const ds = (await live<Datastore>(store, INVENTORY_TYPES.datastore)).find(
    (d) => d.vcenterId === source.vcenterId && d.name.toLowerCase() === source.datastore.toLowerCase(),
  );
  if (!ds) return true;
  const hosts = new Map((await live<Host>(store, INVENTORY_TYPES.host)).map((h) => [h.id, h]));
  const clusterIds = new Set<string | undefined>(ds.hostIds.map((id) => hosts.get(id)?.clusterId));
  if (vmMorefs.length) {
    const vms = (await live<Vm>(store, INVENTORY_TYPES.vm)).filter((v) => v.vcenterId === source.vcenterId);
    for (const moref of vmMorefs) clusterIds.add(vms.find((v) => v.moref === moref)?.clusterId);
  }
  const clusters = new Map((await live<Cluster>(store, INVENTORY_TYPES.cluster)).map((c) => [c.id, c]));
  for (const id of clusterIds) {
    const c = id === undefined ? undefined : clusters.get(id);
    if (!c || isProductionCluster(c, productionClusters)) return true;
  }
  return false;
}
