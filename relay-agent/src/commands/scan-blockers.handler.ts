import { SEVERITY } from '@rackops/core/blockers/classify';
import { z } from 'zod';
import { MoRef } from '../vsphere/vim-zod';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import {
  affinityByVm,
  blockersOf,
  datastoreOfPath,
  isVcsa,
  mandatoryRulesByVm,
  vmDevices,
} from '../vsphere/vm-devices';
import {
  DATASTORE_PATHS,
  DatastoreFacts,
  HOST_PATHS,
  HostFacts,
  readAll,
  VM_PATHS,
  VmFacts,
} from '../vsphere/vsphere-inventory';
import { ClusterFacts } from '../vsphere/vsphere-inventory';
import type { CommandHandler } from './command-context';
import { parseProps } from './parse-props';
import { serviceTagOf } from './vsphere-host';

/** cluster.scan-blockers — read-only: per host of the cluster, the VMs that would block maintenance mode and why. */
export function createScanBlockersHandler(devices: DeviceRegistry): CommandHandler<'cluster.scan-blockers'> {
  return async (params, ctx) => {
    const vc = devices.vcenter(params.vcenterId);
    const cluster = parseProps(
      vc.device,
      `cluster ${params.clusterMoref}`,
      ClusterFacts,
      (
        await vc.properties({ type: 'ClusterComputeResource', value: params.clusterMoref }, [
          'name',
          'host',
          'configurationEx',
        ])
      ).props,
    );
    const hostMorefs = (cluster.host ?? [])
      .map((h) => h.value)
      .filter((h) => !params.hostMorefs || params.hostMorefs.includes(h));
    if (params.hostMorefs?.some((h) => !hostMorefs.includes(h))) {
      throw new DeviceOperationError(
        'host_not_in_cluster',
        `some hosts are not in cluster ${params.clusterMoref}`,
      );
    }
    const warnings: string[] = [];
    const hosts = new Map(
      (await readAll(vc, 'HostSystem', HOST_PATHS, HostFacts, warnings)).map((h) => [h.obj.value, h]),
    );
    const datastores = await readAll(vc, 'Datastore', DATASTORE_PATHS, DatastoreFacts, warnings);
    const dsCount = new Map(datastores.map((d) => [d.obj.value, d.facts.host?.length ?? 0]));
    const hostCountByName = new Map(datastores.map((d) => [d.facts.name, d.facts.host?.length ?? 0]));
    const rules = affinityByVm(cluster.configurationEx);
    const mandatory = mandatoryRulesByVm(cluster.configurationEx);
    const vms = await readAll(vc, 'VirtualMachine', VM_PATHS, VmFacts, warnings);
    for (const w of warnings) ctx.log.warn(w);
    const readable = new Set(vms.map((v) => v.obj.value));
    // What each host says runs on it: a VM there that could not be read must not pass for no VM at all.
    const unreadableOn = new Map<string, string[]>();
    for (const hm of hostMorefs) {
      const listed = await vc.properties({ type: 'HostSystem', value: hm }, ['vm']);
      const refs = z
        .array(MoRef)
        .catch([])
        .parse(listed.props.vm ?? []);
      unreadableOn.set(
        hm,
        refs.map((r) => r.value).filter((m) => !readable.has(m)),
      );
    }
    return {
      hosts: hostMorefs.map((hm) => {
        const h = hosts.get(hm);
        const hostId = serviceTagOf(h?.facts['hardware.systemInfo']) ?? hm;
        const blockers = vms
          .filter(
            (v) => v.facts['runtime.host']?.value === hm && v.facts['runtime.powerState'] === 'poweredOn',
          )
          .flatMap((v) => {
            const d = vmDevices(v.facts, {
              datastoreHostCount: dsCount,
              affinityRules: rules.get(v.obj.value) ?? [],
            });
            const vmId = `${params.vcenterId}/${v.obj.value}`;
            return blockersOf(
              vmId,
              v.facts.name,
              d,
              isVcsa(v.facts.name, v.facts['summary.config.product']?.name),
              {
                mandatoryRules: mandatory.get(v.obj.value) ?? [],
                isoOnLocalDatastore:
                  d.connectedIso !== undefined &&
                  hostCountByName.get(datastoreOfPath(d.connectedIso) ?? '') === 1,
              },
            );
          });
        for (const m of unreadableOn.get(hm) ?? [])
          blockers.push({
            vmId: `${params.vcenterId}/${m}`,
            vmName: m,
            reason: 'unreadable_vm',
            severity: SEVERITY.unreadable_vm,
            detail:
              'vCenter would not show this VM (permission or a broken object): whether it can move is unknown',
          });
        return { hostMoref: hm, hostId, blockers };
      }),
    };
  };
}
