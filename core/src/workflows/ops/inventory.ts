import { type Cluster, type Host, INVENTORY_TYPES, type Vm } from '../../inventory/inventory.schema';
import type { RecordReader, StoredRecord } from '../../ports/record-store.port';
import type { PlannerHost, PlannerVm } from '../../planner/capacity';

/** Every live record of a type under a parent, across pages. */
export async function allByParent<T>(store: RecordReader, type: string, parent: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByParent<T>(type, parent, { cursor, limit: 500 });
    out.push(...page.items.filter((r: StoredRecord<T>) => !r.gone).map((r) => r.data));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

export const getCluster = async (store: RecordReader, id: string): Promise<Cluster | undefined> =>
  (await store.getRecord<Cluster>(INVENTORY_TYPES.cluster, id))?.data;

export const getHostRecord = async (store: RecordReader, id: string): Promise<Host | undefined> =>
  (await store.getRecord<Host>(INVENTORY_TYPES.host, id))?.data;

export const clusterHosts = (store: RecordReader, clusterId: string): Promise<Host[]> =>
  allByParent<Host>(store, INVENTORY_TYPES.host, clusterId);

export const hostVms = (store: RecordReader, hostId: string): Promise<Vm[]> =>
  allByParent<Vm>(store, INVENTORY_TYPES.vm, hostId);

/** What the capacity planner needs, read from inventory now (not from when the job was created). */
export async function capacityInputs(
  store: RecordReader,
  cluster: Cluster,
): Promise<{ hosts: PlannerHost[]; vms: PlannerVm[]; failoverLevel: number; vmsByHost: Map<string, Vm[]> }> {
  const hosts = await clusterHosts(store, cluster.id);
  const vmsByHost = new Map<string, Vm[]>();
  for (const h of hosts) vmsByHost.set(h.id, await hostVms(store, h.id));
  const planHosts: PlannerHost[] = hosts
    // A host that is already out (maintenance, disconnected) carries nothing.
    .filter((h) => h.connectionState === 'connected' && !h.inMaintenanceMode)
    .map((h) => ({
      hostId: h.id,
      cpuMhz: h.cpuMhz,
      memoryMiB: h.memoryMiB,
      runsVcenter: (vmsByHost.get(h.id) ?? []).some(
        (v) => v.isVcenterAppliance && v.powerState === 'poweredOn',
      ),
    }));
  const vms = [...vmsByHost.values()].flat().map((v) => ({
    cpuMhz: v.cpuMhz,
    memoryMiB: v.memoryMiB,
    poweredOn: v.powerState === 'poweredOn',
  }));
  // No HA information: assume one host failure must be absorbed (the common setting), never zero.
  const ha = cluster.ha;
  const failoverLevel = !ha ? 1 : ha.haEnabled ? ha.failoverLevel : 0;
  return { hosts: planHosts, vms, failoverLevel, vmsByHost };
}
