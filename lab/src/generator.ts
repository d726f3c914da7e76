import type { LabConfigInput, LabVmDevices } from './config/lab-config.schema';
import { mulberry32 } from '@rackops/core/util/prng';

export interface GenerateLabOptions {
  hosts: number;
  vmsPerHost?: number;
  hostsPerCluster?: number;
  clustersPerVcenter?: number;
  /** Share of VMs (0..1) with a maintenance-mode blocker. */
  blockerRate?: number;
  /** Share of hosts (0..1) already on the latest firmware. */
  currentRate?: number;
  seed?: number;
}

const BLOCKERS: Array<Partial<LabVmDevices>> = [
  { usbPassthrough: true },
  { pciPassthrough: true },
  { vgpu: true, pciPassthrough: true },
  { faultTolerance: true },
  { localStorage: true },
  { connectedIso: '[shared] iso/tools.iso' },
  { affinityRules: ['pinned-by-generator'] },
];

/**
 * A deterministic large lab (same options, same lab) for benchmarks: e.g. 2,000 hosts and
 * 40,000 VMs in 125 clusters of 16 over 5 vCenters. One vCenter appliance VM per vCenter.
 */
export function generateLab(opts: GenerateLabOptions): LabConfigInput {
  const vmsPerHost = opts.vmsPerHost ?? 20;
  const perCluster = opts.hostsPerCluster ?? 16;
  const perVc = opts.clustersPerVcenter ?? 25;
  const blockerRate = opts.blockerRate ?? 0.01;
  const currentRate = opts.currentRate ?? 0.2;
  const rnd = mulberry32(opts.seed ?? 42);
  const clusters = Math.ceil(opts.hosts / perCluster);
  const vcenters: LabConfigInput['vcenters'] = [];
  let h = 0;
  for (let c = 0; c < clusters; c++) {
    const vcIndex = Math.floor(c / perVc);
    let vc = vcenters[vcIndex];
    if (!vc) {
      vc = { id: `vc-${String(vcIndex + 1).padStart(2, '0')}`, clusters: [], vms: [] };
      vcenters.push(vc);
    }
    const hostsHere = Math.min(perCluster, opts.hosts - h);
    const clusterHosts = Array.from({ length: hostsHere }, () => {
      const idx = h++;
      return {
        serviceTag: `G${idx.toString(36).toUpperCase().padStart(6, '0')}`,
        name: `esx-${String(idx + 1).padStart(5, '0')}.gen.local`,
        cpuMhz: 128_000,
        memoryMiB: 524_288,
        firmware: {
          profile: rnd() < currentRate ? ('current' as const) : ('outdated' as const),
          versions: {},
        },
      };
    });
    vc.clusters!.push({ name: `gen-c${String(c + 1).padStart(4, '0')}`, hosts: clusterHosts });
    for (const [i, host] of clusterHosts.entries()) {
      for (let v = 0; v < vmsPerHost; v++) {
        const isVcsa = c % perVc === 0 && i === 0 && v === 0;
        const blocked = !isVcsa && rnd() < blockerRate;
        vc.vms!.push({
          name: isVcsa ? `vcsa-${vc.id}` : `vm-${host.serviceTag}-${String(v + 1).padStart(2, '0')}`,
          host: host.serviceTag,
          powerState: rnd() < 0.1 ? 'poweredOff' : 'poweredOn',
          // Demand sized so a cluster can lose 2 hosts plus HA failover level 1.
          cpuMhz: 500 + Math.floor(rnd() * 3_500),
          memoryMiB: 2_048 + Math.floor(rnd() * 14) * 1_024,
          isVcenterAppliance: isVcsa,
          devices: {
            affinityRules: [],
            ...(blocked ? BLOCKERS[Math.floor(rnd() * BLOCKERS.length)] : {}),
          },
        });
      }
    }
  }
  return { name: `generated-${opts.hosts}`, seed: opts.seed ?? 42, vcenters, omes: [{ id: 'ome-gen' }] };
}
