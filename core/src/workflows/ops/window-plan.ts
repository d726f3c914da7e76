import type { HostRef, Plan, PlanRef } from './state.schema';

/** A host as a plan is made of: a ref, or a whole planned host (whose firmware the ref leaves out). */
type WindowHost = HostRef & { reboot: boolean; hasImmediate?: boolean; immediate?: readonly unknown[] };

/** The host as the workflow state carries it: no firmware (that is the job's 'plan' item, host-plan.op.ts). */
export function planRef(h: WindowHost): PlanRef {
  return {
    hostId: h.hostId,
    ...(h.name !== undefined ? { name: h.name } : {}),
    ...(h.hostMoref !== undefined ? { hostMoref: h.hostMoref } : {}),
    ...(h.vcenterId !== undefined ? { vcenterId: h.vcenterId } : {}),
    reboot: h.reboot,
    hasImmediate: h.hasImmediate === true || (h.immediate?.length ?? 0) > 0,
  };
}

/** The plan's hosts grouped by wave again (what a re-plan starts from). */
export function wavesOf(plan: Plan): PlanRef[][] {
  const waves: PlanRef[][] = [];
  for (const h of plan.hosts) {
    const w = h.wave ?? 0;
    while (waves.length <= w) waves.push([]);
    waves[w]!.push(h);
  }
  return waves.filter((w) => w.length > 0);
}

/**
 * The plan the workflow runs: hosts in order, started k at a time as slots free up (a sliding window, not batch
 * barriers). Each host carries its wave — the `batch` it is shown in — and whether it must wait for every other
 * host (the vCenter appliance's host). Host refs only: the state stays small whatever the cluster's firmware.
 */
export function windowPlan(
  k: number,
  batchSize: number,
  batches: readonly (readonly WindowHost[])[],
  last: ReadonlySet<string>,
): Plan {
  const marked = batches.map((b, wave) =>
    b.map((h) => ({
      ...planRef(h),
      wave,
      waveSize: b.length,
      ...(last.has(h.hostId) ? { last: true } : {}),
    })),
  );
  // Firmware that needs no reboot runs while a host serves VMs: later waves first (done long before their turn),
  // the first wave last (it waits for its own window to end).
  const applyNow = [...marked]
    .reverse()
    .flat()
    .filter((h) => h.hasImmediate);
  // The rolling update's staging Map: only hosts with a window have firmware to stage.
  const stage = marked.flat().filter((h) => h.reboot);
  return { k, batchSize, hosts: marked.flat(), applyNow, stage };
}
