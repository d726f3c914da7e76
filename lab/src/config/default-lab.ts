import type { LabConfigInput, LabVmDevices } from './lab-config.schema';

type VmInput = NonNullable<LabConfigInput['vcenters'][number]['vms']>[number];

/** R750: 2 x 32 cores at 2.0 GHz, 512 GiB. */
const HOST_CPU_MHZ = 128_000;
const HOST_MEM_MIB = 524_288;

/**
 * iDRAC generations, host by host in turn (`idrac9-6.x`, `idrac9-3.x`, `idrac9-7.x`, …), so every
 * cluster of the default lab, and its outdated hosts, spans all three (lab/docs/idrac-personalities.md).
 */
const GENERATIONS = ['idrac9-6.x', 'idrac9-3.x', 'idrac9-7.x'] as const;

function hosts(prefix: 'A' | 'B', count: number, current: number[]) {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return {
      idrac: GENERATIONS[i % GENERATIONS.length]!,
      serviceTag: `LAB${prefix}${String(n).padStart(3, '0')}`,
      name: `esx-${prefix.toLowerCase()}${String(n).padStart(2, '0')}.lab.local`,
      cpuMhz: HOST_CPU_MHZ,
      memoryMiB: HOST_MEM_MIB,
      firmware: { profile: current.includes(n) ? ('current' as const) : ('outdated' as const), versions: {} },
    };
  });
}

/** `count` ordinary VMs spread round-robin over the cluster's hosts. */
function workload(
  prefix: string,
  tags: string[],
  count: number,
  cpuMhz: number,
  memoryMiB: number,
): VmInput[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i + 1).padStart(3, '0')}`,
    host: tags[i % tags.length]!,
    // Every seventh VM is powered off, as in any real estate.
    powerState: i % 7 === 6 ? ('poweredOff' as const) : ('poweredOn' as const),
    cpuMhz: cpuMhz + (i % 5) * 250,
    memoryMiB: memoryMiB + (i % 4) * 1024,
  }));
}

function blocker(
  name: string,
  host: string,
  devices: Partial<LabVmDevices>,
  extra: Partial<VmInput> = {},
): VmInput {
  return {
    name,
    host,
    cpuMhz: 2_000,
    memoryMiB: 8_192,
    devices: { affinityRules: [], ...devices },
    ...extra,
  };
}

const A = hosts('A', 4, [4]);
const B = hosts('B', 8, [7, 8]);
const aTags = A.map((h) => h.serviceTag);
const bTags = B.map((h) => h.serviceTag);

/**
 * The default lab: one vCenter `vc-lab`, clusters `lab-a` (4 hosts) and `lab-b` (8 hosts),
 * 120 VMs, a handful of maintenance-mode blockers, most hosts on the captured (outdated)
 * firmware. Sized so each cluster can lose 2 hosts and still carry its demand plus HA
 * failover level 1: lab-a's demand (~98 GHz, ~390 GiB) fits on ONE host; lab-b's
 * (~300 GHz, ~1.2 TiB) fits on five.
 */
export const DEFAULT_LAB: LabConfigInput = {
  name: 'default',
  vcenters: [
    {
      id: 'vc-lab',
      name: 'vc-lab.lab.local',
      clusters: [
        { name: 'lab-a', ha: { haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 }, hosts: A },
        { name: 'lab-b', ha: { haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 }, hosts: B },
      ],
      vms: [
        // The vCenter appliance itself runs in lab-a: never power it off, move it last.
        blocker('vcsa-01', 'LABA001', {}, { cpuMhz: 4_000, memoryMiB: 19_456, isVcenterAppliance: true }),
        blocker('scratch-db-01', 'LABA002', { localStorage: true }),
        blocker('licence-server-01', 'LABA003', { affinityRules: ['licence-server-must-run-on-esx-a03'] }),
        ...workload('app-a', aTags, 37, 2_000, 8_192),
        blocker('usb-dongle-01', 'LABB002', { usbPassthrough: true }),
        blocker('render-gpu-01', 'LABB003', { vgpu: true, pciPassthrough: true }),
        blocker('ledger-ft-01', 'LABB004', { faultTolerance: true }),
        blocker('installer-01', 'LABB005', { connectedIso: '[lab-b-ds01] iso/ubuntu-24.04.iso' }),
        blocker('nfv-fw-01', 'LABB006', { pciPassthrough: true }),
        ...workload('app-b', bTags, 75, 3_500, 14_336),
      ],
    },
  ],
  omes: [{ id: 'ome-lab' }],
};
