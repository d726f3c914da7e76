import type { HaSettings } from '@rackops/core/inventory/inventory.schema';
import { z } from 'zod';
import type { BNode } from '../vsphere/xml';
import { vBool, vNum } from '../vsphere/vim-zod';
import type { VsphereClient } from '../vsphere/vsphere-client';
import type { MoRef } from '../vsphere/vim-decode';
import { parseProps } from './parse-props';

const Das = z.looseObject({
  enabled: vBool.optional(),
  admissionControlEnabled: vBool.optional(),
  failoverLevel: vNum.optional(),
  admissionControlPolicy: z
    .looseObject({
      _type: z.string().optional(),
      failoverLevel: vNum.optional(),
      cpuFailoverResourcesPercent: vNum.optional(),
      memoryFailoverResourcesPercent: vNum.optional(),
    })
    .optional(),
});
const ClusterProps = z.object({ configurationEx: z.looseObject({ dasConfig: Das.optional() }) });

/** Reads a cluster's HA settings (ClusterConfigInfoEx.dasConfig) into the shared HaSettings shape. */
export async function readHa(vc: VsphereClient, cluster: MoRef): Promise<HaSettings> {
  const o = await vc.properties(cluster, ['configurationEx']);
  const das =
    parseProps(vc.device, `cluster ${cluster.value}`, ClusterProps, o.props).configurationEx.dasConfig ?? {};
  const pol = das.admissionControlPolicy;
  const type = pol?._type ?? '';
  const policy = type.includes('FailoverResources')
    ? 'resourcePercentage'
    : type.includes('FailoverHost')
      ? 'failoverHosts'
      : type.includes('FailoverLevel') || pol?.failoverLevel !== undefined
        ? 'failoverLevel'
        : 'disabled';
  return {
    haEnabled: das.enabled ?? false,
    admissionControlEnabled: das.admissionControlEnabled ?? false,
    failoverLevel: pol?.failoverLevel ?? das.failoverLevel ?? 0,
    policy,
    ...(pol?.cpuFailoverResourcesPercent === undefined
      ? {}
      : { cpuFailoverPercent: pol.cpuFailoverResourcesPercent }),
    ...(pol?.memoryFailoverResourcesPercent === undefined
      ? {}
      : { memoryFailoverPercent: pol.memoryFailoverResourcesPercent }),
  };
}

/** ClusterDasConfigInfo for ReconfigureComputeResource_Task (element order follows the WSDL). */
export function dasSpec(s: HaSettings): BNode {
  const policy: BNode | undefined =
    s.policy === 'failoverLevel'
      ? { '@_xsi:type': 'ClusterFailoverLevelAdmissionControlPolicy', failoverLevel: s.failoverLevel }
      : s.policy === 'resourcePercentage'
        ? {
            '@_xsi:type': 'ClusterFailoverResourcesAdmissionControlPolicy',
            cpuFailoverResourcesPercent: s.cpuFailoverPercent ?? 25,
            memoryFailoverResourcesPercent: s.memoryFailoverPercent ?? 25,
          }
        : undefined;
  return {
    '@_xsi:type': 'ClusterDasConfigInfo',
    enabled: s.haEnabled,
    ...(policy ? { admissionControlPolicy: policy } : {}),
    admissionControlEnabled: s.admissionControlEnabled,
  };
}

/** Equal for the fields RackOps sets (restore compares against these). */
export function sameHa(a: HaSettings, b: HaSettings): boolean {
  if (a.haEnabled !== b.haEnabled || a.admissionControlEnabled !== b.admissionControlEnabled) return false;
  if (!a.admissionControlEnabled) return true;
  if (a.policy !== b.policy) return false;
  if (a.policy === 'failoverLevel') return a.failoverLevel === b.failoverLevel;
  if (a.policy === 'resourcePercentage') {
    return (
      a.cpuFailoverPercent === b.cpuFailoverPercent && a.memoryFailoverPercent === b.memoryFailoverPercent
    );
  }
  return true;
}
