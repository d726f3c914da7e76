import type { Blocker, Cluster, Host } from '@rackops/core/inventory/inventory.schema';
import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import type { Store } from '@rackops/core/ports/store.port';

/** Test inventory: `lab-a` (not production, hosts LABA001..) and `prod-a` (production, hosts PROD001..). */
export const vm = (id: string, reason: Blocker['reason'], severity: Blocker['severity']): Blocker => ({
  vmId: id,
  vmName: `vm-${id}`,
  reason,
  severity,
});

export async function seedInventory(store: Store, hostsPerCluster = 4): Promise<void> {
  const clusters: Cluster[] = [
    {
      id: 'domain-c1',
      name: 'lab-a',
      vcenterId: 'vc-lab',
      moref: 'domain-c1',
      drsEnabled: true,
      production: false,
    },
    {
      id: 'domain-c2',
      name: 'prod-a',
      vcenterId: 'vc-lab',
      moref: 'domain-c2',
      drsEnabled: true,
      production: true,
    },
  ];
  for (const c of clusters) {
    await store.putRecord({ type: INVENTORY_TYPES.cluster, id: c.id, parent: c.vcenterId, data: c });
    for (let i = 1; i <= hostsPerCluster; i++) {
      const tag = `${c.name === 'lab-a' ? 'LABA' : 'PROD'}00${i}`;
      const host: Host = {
        id: tag,
        name: `esx-${c.name}-${i}`,
        vcenterId: 'vc-lab',
        clusterId: c.id,
        moref: `host-${tag}`,
        serviceTag: tag,
        connectionState: 'connected',
        powerState: 'poweredOn',
        inMaintenanceMode: false,
        cpuMhz: 50_000,
        memoryMiB: 262_144,
        esxiVersion: '8.0.3',
      };
      await store.putRecord({ type: INVENTORY_TYPES.host, id: tag, parent: c.id, data: host });
    }
  }
  await store.putRecord({
    type: INVENTORY_TYPES.vcenter,
    id: 'vc-lab',
    data: { id: 'vc-lab', name: 'vc-lab' },
  });
  await store.putRecord({
    type: INVENTORY_TYPES.server,
    id: 'LABA001',
    data: {
      serviceTag: 'LABA001',
      model: 'PowerEdge R750',
      idracId: 'LABA001',
      powerState: 'On',
      health: 'OK',
      source: 'idrac',
    },
  });
  await store.putRecord({
    type: INVENTORY_TYPES.firmware,
    id: 'LABA001#bios',
    parent: 'LABA001',
    data: {
      id: 'Installed-159-1.8.2__BIOS.Setup.1-1',
      name: 'BIOS',
      version: '1.8.2',
      softwareId: '159',
      updateable: true,
    },
  });
}
