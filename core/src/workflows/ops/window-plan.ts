import type { Plan, PlanHost } from './state.schema';

/**
 * The plan the workflow runs: hosts in order, started k at a time as slots free up (a sliding window, not batch
 * barriers). Each host carries its wave — the `batch` it is shown in — and whether it must wait for every other
 * host (the vCenter appliance's host).
 */
export function windowPlan(
  k: number,
  batchSize: number,
  batches: readonly (readonly PlanHost[])[],
  last: ReadonlySet<string>,
): Plan {
  const marked = batches.map((b, wave) =>
    b.map((h) => ({ ...h, wave, waveSize: b.length, ...(last.has(h.hostId) ? { last: true } : {}) })),
  );
  // Firmware that needs no reboot runs while a host serves VMs: later waves first (done long before their turn),
  // the first wave last (it waits for its own window to end).
  const applyNow = [...marked]
    .reverse()
    .flat()
    .filter((h) => h.immediate.length > 0);
  // What the rolling update's staging Map needs per host (only hosts with a window have firmware to stage).
  const stage = marked
    .flat()
    .filter((h) => h.reboot)
    .map((h) => ({ hostId: h.hostId, packages: h.packages }));
  return { k, batchSize, hosts: marked.flat(), batches: marked, applyNow, stage };
}
