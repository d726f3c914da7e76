import type { Cluster, Datastore, Network, Vm } from '@rackops/core/inventory/inventory.schema';
import type { z } from 'zod';
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
  readAllOrRejected,
  VM_PATHS,
  VmFacts,
} from '../vsphere/vsphere-inventory';
import type { CommandHandler } from './command-context';
import { createPageWriter } from './page-writer';
import { hostIds, unreadableGroups } from './vcenter-read-integrity';
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
    const read = async <S extends z.ZodType>(type: string, paths: readonly string[], schema: S) =>
      readAllOrRejected(vc, type, paths, schema, warnings, ps);
    const clusterRead = await read('ClusterComputeResource', CLUSTER_PATHS, ClusterFacts);
    const hostRead = await read('HostSystem', HOST_PATHS, HostFacts);
    const dsRead = await read('Datastore', DATASTORE_PATHS, DatastoreFacts);
    const netRead = await read('Network', NETWORK_PATHS, NetworkFacts);
    const vmRead = await read('VirtualMachine', VM_PATHS, VmFacts);
    const clusters = clusterRead.valid;
    const datastores = dsRead.valid;
    const networks = netRead.valid;
    const unreadable = unreadableGroups(vcId, clusterRead, hostRead, vmRead);
    // A host under a cluster that could not be read is left out (its cluster, and so its record, is unknown).
    const hosts = hostRead.valid.filter((h) => !unreadable.hostsLeftOut.has(h.obj.value));
    // A VM is written under its host: one on a host this read does not have (out of the account's sight, or
    // left out above) keeps its stored record rather than being moved to a made-up parent.
    const readHosts = new Set(hosts.map((h) => h.obj.value));
    const vms = vmRead.valid.filter((v) => readHosts.has(v.facts['runtime.host']?.value ?? ''));
    const vmsElsewhere = vmRead.valid.filter(
      (v) => v.facts['runtime.host'] && !readHosts.has(v.facts['runtime.host'].value),
    ).length;
    if (vmsElsewhere)
      warnings.push(
        `${vmsElsewhere} VMs run on hosts this read does not show: their records were left as they were`,
      );
    await ctx.progress(`read ${hosts.length} hosts and ${vms.length} VMs`);

    const clusterOfHost = new Map<string, string>();
    for (const c of clusters)
      for (const h of c.facts.host ?? []) clusterOfHost.set(h.value, vcObjectId(vcId, c.obj.value));
    const { hostIdOf, duplicates } = hostIds(vcId, hosts);
    for (const d of duplicates) warnings.push(d);
    const dsCount = new Map(datastores.map((d) => [d.obj.value, d.facts.host?.length ?? 0]));
    const rules = new Map<string, string[]>();
    for (const c of clusters) for (const [vm, r] of affinityByVm(c.facts.configurationEx)) rules.set(vm, r);

    // The estate's size as the vCenter reports it (unreadable objects exist too): the drop guard's measure.
    const out = createPageWriter(ctx, 'vcenter', vcId, ps, {
      vcenter: 1,
      cluster: clusterRead.valid.length + clusterRead.rejected.length,
      host: hostRead.valid.length + hostRead.rejected.length,
      vm: vms.length + vmRead.rejected.length,
      datastore: dsRead.valid.length + dsRead.rejected.length,
      network: netRead.valid.length + netRead.rejected.length,
    });
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
      clusterRead.rejected.length === 0,
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
      const siblings = hostsByParent.get(parent);
      if (siblings) siblings.push(host);
      else hostsByParent.set(parent, [host]);
    }
    for (const [parent, list] of hostsByParent)
      await out.add('host', parent, list, !unreadable.hostGroups.has(parent));
    for (const parent of unreadable.hostGroups)
      if (!hostsByParent.has(parent)) await out.add('host', parent, [], false);

    const vmsByHost = new Map<string, Vm[]>(hosts.map((h) => [hostIdOf.get(h.obj.value) ?? h.obj.value, []]));
    for (const v of vms) {
      const hm = v.facts['runtime.host']?.value;
      if (!hm) continue;
      // A VM on a host that could not be read: its parent is unknown, so it is not written at all.
      const hostId = hostIdOf.get(hm) ?? unlinkedHostId(vcId, hm);
      const clusterId = clusterOfHost.get(hm);
      const onHost = vmsByHost.get(hostId) ?? [];
      vmsByHost.set(hostId, onHost);
      onHost.push({
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
      });
    }
    const morefOf = new Map([...hostIdOf].map(([moref, id]) => [id, moref]));
    for (const [hostId, list] of vmsByHost) {
      const moref = morefOf.get(hostId);
      const complete = !unreadable.allVms && !(moref && unreadable.vmGroupsOfHost.has(moref));
      await out.add('vm', hostId, list, complete);
    }
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
      dsRead.rejected.length === 0,
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
      netRead.rejected.length === 0,
    );
    const { pages, counts } = await out.finish(warnings);
    return { pages, counts, warnings };
  };
}
