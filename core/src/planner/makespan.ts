/** Seconds each phase of one host's update takes (at the lab's time scale, or measured). */
export interface HostTiming {
  /** SCP export before maintenance. */
  scpS: number;
  /** Upload and stage the firmware (OnReset) while the host still serves VMs. */
  stageS: number;
  /** Enter maintenance mode: DRS evacuates the VMs. */
  evacuateS: number;
  /** Reboot, apply the staged jobs, come back. */
  applyRebootS: number;
  /** Until vCenter reports the host connected again. */
  reconnectS: number;
  exitS: number;
  /** Firmware verification after the reboot. */
  verifyS: number;
}

/** The shortest time one host spends out of service: evacuate + apply + reboot + reconnect + exit. */
export const outOfServiceS = (t: HostTiming): number => t.evacuateS + t.applyRebootS + t.reconnectS + t.exitS;

/** ⌈N / k⌉ × the shortest out-of-service time: nothing can beat this without more hosts out at once. */
export function lowerBoundS(hosts: number, k: number, t: HostTiming): number {
  if (hosts === 0) return 0;
  if (k < 1) throw new RangeError('k must be at least 1');
  return Math.ceil(hosts / k) * outOfServiceS(t);
}

/**
 * RackOps' plan: staging for every host in parallel up front, then batch after batch; within a batch every
 * host runs SCP → maintenance → apply/reboot → verify → exit. `overheadS` is orchestration time per step.
 */
export function estimatePlanS(batches: readonly (readonly string[])[], t: HostTiming, overheadS = 0): number {
  if (batches.length === 0) return 0;
  const perHost = t.scpS + outOfServiceS(t) + t.verifyS + overheadS;
  return t.stageS + batches.length * perHost;
}

/** The seed's way: one host at a time, firmware uploaded inside maintenance mode. */
export function estimateSeedS(hosts: number, t: HostTiming, overheadS = 0): number {
  return hosts * (t.scpS + t.stageS + outOfServiceS(t) + t.verifyS + overheadS);
}
