import type { Cluster, Vcenter, Vm } from '@rackops/core/inventory/inventory.schema';
import {
  type InventoryGroupInput,
  type InventoryPageInput,
  type PageHost,
  vcObjectId,
} from '@rackops/core/inventory/sync-page.schema';
import type { World } from '@rackops/lab/world/world';

/**
 * The pages a relay agent would stream for one vCenter, built lazily from the lab world (same shapes the
 * agent builds from the vSphere API): the vCenter, its clusters, then per cluster its hosts and per host
 * its VMs, each group the complete child set of its parent, packed into pages of about `pageSize` items.
 */
export function* vcenterPages(
  world: World,
  vcId: string,
  runId: string,
  pageSize: number,
): Generator<InventoryPageInput> {
  const vc = world.vcenters.get(vcId)!;
  const clusterRecId = (name: string) => vcObjectId(vcId, world.cluster(name).moref);
  function* groups(): Generator<InventoryGroupInput> {
    const vcenter: Vcenter = { id: vc.id, name: vc.name, ...(vc.version ? { version: vc.version } : {}) };
    yield { type: 'vcenter', parent: vc.id, items: [vcenter] };
    yield {
      type: 'cluster',
      parent: vc.id,
      items: vc.clusterIds.map((id): Cluster => {
        const c = world.cluster(id);
        return {
          id: clusterRecId(id),
          name: c.name,
          vcenterId: vcId,
          moref: c.moref,
          drsEnabled: c.drsEnabled,
          production: false,
          ha: { ...c.ha, policy: 'failoverLevel' },
        };
      }),
    };
    for (const clusterName of vc.clusterIds) {
      const hosts = world.hostsInCluster(clusterName);
      yield {
        type: 'host',
        parent: clusterRecId(clusterName),
        items: hosts.map(
          (h): PageHost => ({
            id: h.id,
            name: h.name,
            vcenterId: vcId,
            clusterId: clusterRecId(clusterName),
            moref: h.moref,
            serviceTag: h.id,
            connectionState: h.connectionState,
            powerState: h.power === 'On' ? 'poweredOn' : 'poweredOff',
            inMaintenanceMode: h.inMaintenanceMode,
            cpuMhz: h.cpuMhz,
            memoryMiB: h.memoryMiB,
            esxiVersion: h.esxiVersion,
          }),
        ),
      };
      for (const h of hosts) {
        yield {
          type: 'vm',
          parent: h.id,
          items: world.vmsOnHost(h.id).map(
            (v): Vm => ({
              id: vcObjectId(vcId, v.moref),
              name: v.name,
              vcenterId: vcId,
              moref: v.moref,
              hostId: h.id,
              clusterId: clusterRecId(clusterName),
              powerState: v.powerState,
              cpuMhz: v.cpuMhz,
              memoryMiB: v.memoryMiB,
              isVcenterAppliance: v.isVcenterAppliance,
              devices: { ...v.devices, affinityRules: [...v.devices.affinityRules] },
            }),
          ),
        };
      }
    }
  }
  let batch: InventoryGroupInput[] = [];
  let size = 0;
  let seq = 0;
  for (const g of groups()) {
    batch.push(g);
    size += g.items.length;
    if (size >= pageSize) {
      yield { v: 1, source: 'vcenter', sourceId: vcId, runId, seq: seq++, last: false, groups: batch };
      batch = [];
      size = 0;
    }
  }
  yield { v: 1, source: 'vcenter', sourceId: vcId, runId, seq, last: true, groups: batch };
}
