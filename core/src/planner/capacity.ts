import { RackOpsError } from '../util/errors';

/** A host as the capacity planner sees it; ids are canonical host ids (service tags). */
export interface PlannerHost {
  hostId: string;
  cpuMhz: number;
  memoryMiB: number;
  /** The host runs the vCenter appliance: it goes last so vCenter moves once. */
  runsVcenter?: boolean;
}

/** Demand that must keep running while hosts are out: powered-on VMs only. */
export interface PlannerVm {
  cpuMhz: number;
  memoryMiB: number;
  poweredOn: boolean;
}

export interface CapacityInput {
  hosts: readonly PlannerHost[];
  vms: readonly PlannerVm[];
  /** HA admission control failover level: host failures the cluster must still absorb. */
  failoverLevel: number;
  /** Spare fraction kept on top of demand (0.1 = 10 %), because DRS needs room to place VMs. */
  headroom?: number;
}

export interface CapacityResult {
  /** Largest number of hosts that may be out at once. */
  k: number;
  demand: { cpuMhz: number; memoryMiB: number };
  capacity: { cpuMhz: number; memoryMiB: number };
  /** Why k is not larger (the first constraint that broke), for the operator. */
  limitedBy: 'cpu' | 'memory' | 'hosts';
}

export class CapacityError extends RackOpsError {
  constructor(message: string) {
    super('capacity', message);
  }
}

export const DEFAULT_HEADROOM = 0.1;

/**
 * k = the largest number of hosts that can be out at once while the rest carry the demand (with headroom)
 * AND the HA failover level: after taking k hosts out, and then `failoverLevel` more (host failures HA must
 * absorb), what is left still carries the demand. We assume the worst case — the largest hosts are the ones
 * out — because batches may hold any hosts and HA reserves for the largest failures. Hosts that are not being
 * updated still count as capacity; `outCandidates` caps k.
 */
export function computeK(input: CapacityInput, outCandidates = input.hosts.length): CapacityResult {
  const headroom = input.headroom ?? DEFAULT_HEADROOM;
  if (headroom < 0 || headroom >= 10) throw new CapacityError(`headroom ${headroom} is out of range`);
  if (!Number.isInteger(input.failoverLevel) || input.failoverLevel < 0)
    throw new CapacityError(`failover level ${input.failoverLevel} is not a non-negative integer`);
  const on = input.vms.filter((v) => v.poweredOn);
  const demand = {
    cpuMhz: on.reduce((s, v) => s + v.cpuMhz, 0) * (1 + headroom),
    memoryMiB: on.reduce((s, v) => s + v.memoryMiB, 0) * (1 + headroom),
  };
  const capacity = {
    cpuMhz: input.hosts.reduce((s, h) => s + h.cpuMhz, 0),
    memoryMiB: input.hosts.reduce((s, h) => s + h.memoryMiB, 0),
  };
  const byCpu = [...input.hosts].map((h) => h.cpuMhz).sort((a, b) => b - a);
  const byMem = [...input.hosts].map((h) => h.memoryMiB).sort((a, b) => b - a);
  // Capacity left when the `n` largest hosts are gone.
  const left = (sorted: number[], n: number): number => sorted.slice(n).reduce((s, x) => s + x, 0);

  const maxOut = Math.min(outCandidates, input.hosts.length);
  let k = 0;
  let limitedBy: CapacityResult['limitedBy'] = 'hosts';
  for (let n = 1; n <= maxOut; n++) {
    const gone = n + input.failoverLevel;
    // Out + failures cannot take every host away: something must still run the VMs.
    const cpuOk = gone < input.hosts.length && left(byCpu, gone) >= demand.cpuMhz;
    const memOk = gone < input.hosts.length && left(byMem, gone) >= demand.memoryMiB;
    if (!cpuOk || !memOk) {
      limitedBy = !memOk ? 'memory' : 'cpu';
      break;
    }
    k = n;
  }
  return { k, demand, capacity, limitedBy: k === maxOut ? 'hosts' : limitedBy };
}
