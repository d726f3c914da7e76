import type { Cluster, Datastore, Network, Vm } from '@rackops/core/inventory/inventory.schema';
import { type PageHost, unlinkedHostId, vcObjectId } from '@rackops/core/inventory/sync-page.schema';
import type { DeviceRegistry } from '../devices/device-registry';
import { markedProduction } from '../vsphere/custom-attributes';
import { affinityByVm, isVcsa, vmDevices } from '../vsphere/vm-devices';
import {
  CLUSTER_PATHS,
  ClusterFacts,
  DATASTORE_PATHS,
  DatastoreFacts,
  HOST_PATHS,
  HostFacts,
  NETWORK_PATHS,
  NetworkFacts,
  readAll,
  VM_PATHS,
  VmFacts,
} from '../vsphere/vsphere-inventory';
import type { CommandHandler } from './command-context';
import { createPageWriter } from './page-writer';
import { serviceTagOf } from './vsphere-host';

/**
 * inventory.vcenter — read-only: reads clusters, hosts, VMs, datastores and networks through
 * container views (paged PropertyCollector) and streams them as pages shaped by
 * core/src/inventory/sync-page.schema.ts (every group complete for its parent).
 */
export function createInventoryVcenterHandler(devices: DeviceRegistry): CommandHandler<'inventory.vcenter'> {
  return async (params, ctx) => {
    const vcId = ctx.target.id;
    const vc = devices.vcenter(vcId);
    const sc = await vc.serviceContent();
    const warnings: string[] = [];
    const ps = params.pageSize;
    const clusters = await readAll(vc, 'ClusterComputeResource', CLUSTER_PATHS, ClusterFacts, warnings, ps);
    const hosts = await readAll(vc, 'HostSystem', HOST_PATHS, HostFacts, warnings, ps);
    const datastores = await readAll(vc, 'Datastore', DATASTORE_PATHS, DatastoreFacts, warnings, ps);
    const networks = await readAll(vc, 'Network', NETWORK_PATHS, NetworkFacts, warnings, ps);
    const vms = await readAll(vc, 'VirtualMachine', VM_PATHS, VmFacts, warnings, ps);
    await ctx.progress(`read ${hosts.length} hosts and ${vms.length} VMs`);

    const clusterOfHost = new Map<string, string>();
    for (const c of clusters)
      for (const h of c.facts.host ?? []) clusterOfHost.set(h.value, vcObjectId(vcId, c.obj.value));
    const hostIdOf = new Map(
      hosts.map((h) => [
        h.obj.value,
        serviceTagOf(h.facts['hardware.systemInfo']) ?? unlinkedHostId(vcId, h.obj.value),
      ]),
    );
    const dsCount = new Map(datastores.map((d) => [d.obj.value, d.facts.host?.length ?? 0]));
    const rules = new Map<string, string[]>();
    for (const c of clusters) for (const [vm, r] of affinityByVm(c.facts.configurationEx)) rules.set(vm, r);

    const out = createPageWriter(ctx, 'vcenter', vcId, ps);
    await out.add('vcenter', vcId, [
      { id: vcId, name: vcId, address: new URL(vc.baseUrl).host, version: sc.version },
    ]);
    await out.add(
      'cluster',
      vcId,
      clusters.map(
        (c): Cluster => ({
          id: vcObjectId(vcId, c.obj.value),
          name: c.facts.name,
          vcenterId: vcId,
          moref: c.obj.value,
          drsEnabled: c.facts.configurationEx?.drsConfig?.enabled ?? false,
          ...(c.facts.configurationEx?.drsConfig?.defaultVmBehavior
            ? { drsAutomation: c.facts.configurationEx.drsConfig.defaultVmBehavior }
            : {}),
          production: markedProduction(c.facts),
        }),
      ),
    );
    const hostsByParent = new Map<string, PageHost[]>();
    for (const c of clusters) hostsByParent.set(vcObjectId(vcId, c.obj.value), []);
    hostsByParent.set(vcId, []);
    for (const h of hosts) {
      const f = h.facts;
      const clusterId = clusterOfHost.get(h.obj.value);
      const tag = serviceTagOf(f['hardware.systemInfo']);
      const power = f['runtime.powerState'];
      const host: PageHost = {
        id: hostIdOf.get(h.obj.value) ?? h.obj.value,
        name: f.name,
        vcenterId: vcId,
        ...(clusterId ? { clusterId } : {}),
        moref: h.obj.value,
        ...(tag ? { serviceTag: tag, serialNumber: tag } : {}),
        connectionState: f['runtime.connectionState'],
        powerState:
          power === 'poweredOn' || power === 'poweredOff' || power === 'standBy' ? power : 'unknown',
        inMaintenanceMode: f['runtime.inMaintenanceMode'],
        cpuMhz: (f['summary.hardware.cpuMhz'] ?? 0) * (f['summary.hardware.numCpuCores'] ?? 1),
        memoryMiB: Math.round((f['summary.hardware.memorySize'] ?? 0) / 1048576),
        ...(f['summary.config.product.version'] ? { esxiVersion: f['summary.config.product.version'] } : {}),
      };
      const parent = clusterId ?? vcId;
      hostsByParent.set(parent, [...(hostsByParent.get(parent) ?? []), host]);
    }
    for (const [parent, list] of hostsByParent) await out.add('host', parent, list);

    const vmsByHost = new Map<string, Vm[]>(hosts.map((h) => [hostIdOf.get(h.obj.value) ?? h.obj.value, []]));
    for (const v of vms) {
      const hm = v.facts['runtime.host']?.value;
      if (!hm) continue;
      const hostId = hostIdOf.get(hm) ?? unlinkedHostId(vcId, hm);
      const clusterId = clusterOfHost.get(hm);
      vmsByHost.set(hostId, [
        ...(vmsByHost.get(hostId) ?? []),
        {
          id: vcObjectId(vcId, v.obj.value),
          name: v.facts.name,
          vcenterId: vcId,
          moref: v.obj.value,
          hostId,
          ...(clusterId ? { clusterId } : {}),
          powerState: v.facts['runtime.powerState'],
          cpuMhz: v.facts['summary.quickStats.overallCpuUsage'] ?? 0,
          memoryMiB: v.facts['summary.config.memorySizeMB'] ?? 0,
          isVcenterAppliance: isVcsa(v.facts.name, v.facts['summary.config.product']?.name),
          devices: vmDevices(v.facts, {
            datastoreHostCount: dsCount,
            affinityRules: rules.get(v.obj.value) ?? [],
          }),
        },
      ]);
    }
    for (const [hostId, list] of vmsByHost) await out.add('vm', hostId, list);
    await out.add(
      'datastore',
      vcId,
      datastores.map(
        (d): Datastore => ({
          id: vcObjectId(vcId, d.obj.value),
          name: d.facts.name,
          vcenterId: vcId,
          type: d.facts['summary.type'] ?? 'unknown',
          capacityBytes: d.facts['summary.capacity'] ?? 0,
          freeBytes: d.facts['summary.freeSpace'] ?? 0,
          hostIds: (d.facts.host ?? []).map(
            (m) => hostIdOf.get(m.key.value) ?? unlinkedHostId(vcId, m.key.value),
          ),
        }),
      ),
    );
    await out.add(
      'network',
      vcId,
      networks.map(
        (n): Network => ({
          id: vcObjectId(vcId, n.obj.value),
          name: n.facts.name,
          vcenterId: vcId,
          type: 'Network',
        }),
      ),
    );
    const { pages, counts } = await out.finish(warnings);
    return { pages, counts, warnings };
  };
}
