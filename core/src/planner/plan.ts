import type { Actor } from '../jobs/job.schema';
import {
  type CapacityInput,
  CapacityError,
  type CapacityResult,
  type PlannerHost,
  computeK,
} from './capacity';

export interface PlanInput extends CapacityInput {
  /** Hosts to leave out (resolution skip_host, or the window policy). They stay in service. */
  skipHostIds?: readonly string[];
  /** Hosts that need no update (preflight): never taken out. Default: every host needs one. */
  updateHostIds?: readonly string[];
  /** Operator's order by host id; hosts not named follow in the planner's order. */
  hostOrder?: readonly string[];
  /** Operator's batch size; never above k unless `forcedBy` names a person. */
  batchSize?: number;
  forcedBy?: Actor;
}

export interface RolloutPlan {
  k: number;
  batchSize: number;
  /** Host ids per batch, in order. Batches run one after another; hosts within a batch together. */
  batches: string[][];
  /** Hosts that start only when every other host is finished (the vCenter appliance's host). */
  last: string[];
  skipped: string[];
  capacity: CapacityResult;
  notes: string[];
}

export class PlanRefusedError extends CapacityError {}

/**
 * The rollout plan: hosts to update in batches of at most k (the capacity- and HA-aware limit), the host
 * running the vCenter appliance last, skipped hosts excluded. Pure: same input, same plan.
 */
export function planRollout(input: PlanInput): RolloutPlan {
  const notes: string[] = [];
  const skipped = new Set(input.skipHostIds ?? []);
  const known = new Set(input.hosts.map((h) => h.hostId));
  for (const id of [...skipped, ...(input.hostOrder ?? []), ...(input.updateHostIds ?? [])]) {
    if (!known.has(id)) throw new PlanRefusedError(`host ${id} is not in the cluster`);
  }
  const wanted = new Set(input.updateHostIds ?? input.hosts.map((h) => h.hostId));
  const toUpdate = input.hosts.filter((h) => wanted.has(h.hostId) && !skipped.has(h.hostId));

  const capacity = computeK(input, toUpdate.length);
  if (toUpdate.length === 0) {
    return { k: capacity.k, batchSize: 0, batches: [], last: [], skipped: [...skipped], capacity, notes };
  }
  if (capacity.k < 1) {
    throw new CapacityError(
      `the cluster cannot spare one host: demand ${Math.round(capacity.demand.cpuMhz)} MHz / ` +
        `${Math.round(capacity.demand.memoryMiB)} MiB with failover level ${input.failoverLevel} ` +
        `(limited by ${capacity.limitedBy})`,
    );
  }

  let batchSize = capacity.k;
  if (input.batchSize !== undefined) {
    if (!Number.isInteger(input.batchSize) || input.batchSize < 1)
      throw new PlanRefusedError(`batch size ${input.batchSize} must be a positive integer`);
    if (input.batchSize > capacity.k) {
      if (input.forcedBy?.kind !== 'user' || !input.forcedBy.id) {
        throw new PlanRefusedError(
          `batch size ${input.batchSize} is above ${capacity.k}, the most hosts this cluster can have out ` +
            `while carrying its demand and HA failover level ${input.failoverLevel}; a named person must force it`,
        );
      }
      notes.push(
        `batch size ${input.batchSize} above k=${capacity.k} forced by ${input.forcedBy.name ?? input.forcedBy.id}`,
      );
    }
    batchSize = input.batchSize;
  }

  const ordered = orderHosts(toUpdate, input.hostOrder ?? [], notes);
  const batches: string[][] = [];
  for (let i = 0; i < ordered.length; i += batchSize) batches.push(ordered.slice(i, i + batchSize));
  const last = toUpdate.filter((h) => h.runsVcenter).map((h) => h.hostId);
  return { k: capacity.k, batchSize, batches, last, skipped: [...skipped], capacity, notes };
}

/** Operator's order first, then the rest by id; the vCenter appliance's host always last. */
function orderHosts(hosts: readonly PlannerHost[], hostOrder: readonly string[], notes: string[]): string[] {
  const rank = new Map(hostOrder.map((id, i) => [id, i]));
  const sorted = [...hosts].sort((a, b) => {
    const ra = rank.get(a.hostId) ?? Number.MAX_SAFE_INTEGER;
    const rb = rank.get(b.hostId) ?? Number.MAX_SAFE_INTEGER;
    return ra !== rb ? ra - rb : a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0;
  });
  const vc = sorted.filter((h) => h.runsVcenter);
  const rest = sorted.filter((h) => !h.runsVcenter);
  // vCenter must keep running to drive the rollout; updating its host last means it moves only once.
  const vcIds = vc.map((h) => h.hostId);
  const named = hostOrder.filter((id) => hosts.some((h) => h.hostId === id));
  if (vcIds.some((id) => named.includes(id) && named.at(-1) !== id)) {
    notes.push(`host ${vcIds.join(', ')} runs the vCenter appliance: moved to the end of the order`);
  }
  return [...rest.map((h) => h.hostId), ...vcIds];
}
