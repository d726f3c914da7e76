import type { World } from '../world/world';
import type { ClusterState, HostState, VmState } from '../world/types';
import { isVmVmRule } from './model/cluster-object';

/** Why DRS cannot vMotion a VM off its host (the reasons vCenter gives, in RackOps' blocker terms). */
export type PinReason =
  | 'usb_passthrough'
  | 'pci_passthrough'
  | 'vgpu'
  | 'fault_tolerance'
  | 'local_storage'
  | 'connected_iso'
  | 'affinity_rule'
  | 'drs_cannot_evacuate';

export interface EvacuationPlan {
  /** Migrations DRS will make, in order. */
  readonly moves: ReadonlyArray<{ vm: VmState; to: HostState }>;
  /** VMs that must stay (the task stalls while any of them is powered on). */
  readonly pinned: ReadonlyArray<{ vm: VmState; reasons: PinReason[] }>;
  /** Set when the rest of the cluster cannot take the load: the task fails at once. */
  readonly insufficient?: string;
}

/** The datastore named in a `[datastore] path` file name, as vSphere writes ISO backings. */
const datastoreOfPath = (path: string): string | undefined => /^\[([^\]]+)\]/.exec(path)?.[1];

/**
 * Reasons a powered-on VM cannot be live-migrated, read from its devices. A connected ISO pins the VM only
 * when the image is not on the cluster's shared datastore (a host-local datastore or a client device):
 * vMotion carries a CD-ROM backed by a file every target host can see.
 */
export function pinReasons(vm: VmState, sharedDatastoreName?: string): PinReason[] {
  const d = vm.devices;
  const out: PinReason[] = [];
  if (d.usbPassthrough) out.push('usb_passthrough');
  if (d.pciPassthrough) out.push('pci_passthrough');
  if (d.vgpu) out.push('vgpu');
  if (d.faultTolerance) out.push('fault_tolerance');
  if (d.localStorage) out.push('local_storage');
  if (d.connectedIso && (!sharedDatastoreName || datastoreOfPath(d.connectedIso) !== sharedDatastoreName)) {
    out.push('connected_iso');
  }
  if (d.affinityRules.some((r) => !isVmVmRule(r))) out.push('affinity_rule');
  return out;
}

/** The cluster's shared datastore's name, as the vCenter model names it (`<cluster>-ds01`). */
export const sharedDatastoreName = (cluster: ClusterState): string => `${cluster.name}-ds01`;

interface Load {
  cpu: number;
  mem: number;
}

/** Hosts DRS may place VMs on: same cluster, connected, running, not (entering) maintenance. */
export function targetHosts(world: World, cluster: ClusterState, exclude: ReadonlySet<string>): HostState[] {
  return world
    .hostsInCluster(cluster.id)
    .filter(
      (h) =>
        !exclude.has(h.id) &&
        h.connectionState === 'connected' &&
        h.power === 'On' &&
        h.osPhase === 'running' &&
        !h.inMaintenanceMode,
    );
}

function loadOf(world: World, hostId: string): Load {
  const on = world.vmsOnHost(hostId).filter((v) => v.powerState === 'poweredOn');
  return { cpu: on.reduce((s, v) => s + v.cpuMhz, 0), mem: on.reduce((s, v) => s + v.memoryMiB, 0) };
}

/**
 * What DRS would do to empty `host` (fully automated): place every movable VM on the target with the
 * most free memory that still fits it (CPU and memory demand within capacity), and, while HA admission
 * control is on, keep enough spare capacity for the configured host failures (as vCenter refuses
 * migrations that would violate the failover level). `entering` names hosts already on their way into
 * maintenance mode (they take no VMs).
 */
export function planEvacuation(
  world: World,
  host: HostState,
  opts: { evacuatePoweredOff: boolean; entering: ReadonlySet<string> },
): EvacuationPlan {
  const cluster = world.cluster(host.clusterId);
  const cannotEvacuate = world.faults.get(host.id).drsCannotEvacuate || !cluster.drsEnabled;
  const vms = world.vmsOnHost(host.id).filter((v) => opts.evacuatePoweredOff || v.powerState === 'poweredOn');
  const pinned: Array<{ vm: VmState; reasons: PinReason[] }> = [];
  const movable: VmState[] = [];
  for (const vm of vms) {
    const reasons =
      vm.powerState === 'poweredOn'
        ? pinReasons(vm, sharedDatastoreName(cluster))
        : vm.devices.localStorage
          ? ['local_storage' as const]
          : [];
    if (cannotEvacuate) reasons.push('drs_cannot_evacuate');
    if (reasons.length > 0) {
      // A powered-off VM that cannot move just stays registered here (vCenter leaves it).
      if (vm.powerState === 'poweredOn') pinned.push({ vm, reasons });
    } else movable.push(vm);
  }
  const exclude = new Set([host.id, ...opts.entering]);
  const targets = targetHosts(world, cluster, exclude);
  const free = new Map(
    targets.map((t) => [
      t.id,
      { cpu: t.cpuMhz - loadOf(world, t.id).cpu, mem: t.memoryMiB - loadOf(world, t.id).mem },
    ]),
  );

  const toMove = movable
    .filter((v) => v.powerState === 'poweredOn')
    .sort((a, b) => b.memoryMiB - a.memoryMiB || a.id.localeCompare(b.id));
  const moves: Array<{ vm: VmState; to: HostState }> = [];
  if (toMove.length > 0 && targets.length === 0) {
    return {
      moves: [],
      pinned,
      insufficient: `No host in cluster ${cluster.name} is available to run the virtual machines of ${host.name}.`,
    };
  }
  for (const vm of toMove) {
    const best = targets
      .filter((t) => {
        const f = free.get(t.id)!;
        return f.cpu >= vm.cpuMhz && f.mem >= vm.memoryMiB;
      })
      .sort((a, b) => free.get(b.id)!.mem - free.get(a.id)!.mem || a.id.localeCompare(b.id))[0];
    if (!best) {
      return {
        moves: [],
        pinned,
        insufficient: `Insufficient resources to migrate ${vm.name}: no host in cluster ${cluster.name} has ${vm.memoryMiB} MB of memory and ${vm.cpuMhz} MHz of CPU available.`,
      };
    }
    const f = free.get(best.id)!;
    f.cpu -= vm.cpuMhz;
    f.mem -= vm.memoryMiB;
    moves.push({ vm, to: best });
  }
  // Powered-off VMs (evacuatePoweredOffVms) are cold-migrated; they need no capacity.
  for (const vm of movable.filter((v) => v.powerState !== 'poweredOn')) {
    const to = targets[0];
    if (to) moves.push({ vm, to });
  }
  const ha = cluster.ha;
  if (ha.haEnabled && ha.admissionControlEnabled && ha.failoverLevel > 0) {
    const shortfall = haShortfall(world, cluster, targets, ha.failoverLevel);
    if (shortfall) return { moves: [], pinned, insufficient: shortfall };
  }
  return { moves, pinned };
}

/**
 * Host-failures admission control: the cluster's powered-on demand (plus `extra`, a VM about to
 * power on) must fit on the remaining hosts after losing the `failoverLevel` largest of them.
 * vCenter refuses the maintenance entry or the power-on otherwise.
 */
export function haShortfall(
  world: World,
  cluster: ClusterState,
  remaining: HostState[],
  failoverLevel: number,
  extra: { cpu: number; mem: number } = { cpu: 0, mem: 0 },
): string | undefined {
  const demand = world
    .hostsInCluster(cluster.id)
    .flatMap((h) => world.vmsOnHost(h.id))
    .filter((v) => v.powerState === 'poweredOn')
    .reduce((s, v) => ({ cpu: s.cpu + v.cpuMhz, mem: s.mem + v.memoryMiB }), extra);
  const bySize = [...remaining].sort((a, b) => b.memoryMiB - a.memoryMiB);
  const survivors = bySize.slice(failoverLevel);
  const cap = survivors.reduce((s, h) => ({ cpu: s.cpu + h.cpuMhz, mem: s.mem + h.memoryMiB }), {
    cpu: 0,
    mem: 0,
  });
  if (survivors.length === 0 || cap.cpu < demand.cpu || cap.mem < demand.mem) {
    return `Insufficient resources to satisfy configured failover level for vSphere HA (cluster ${cluster.name}, failover level ${failoverLevel}).`;
  }
  return undefined;
}
