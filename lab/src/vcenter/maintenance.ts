import type { World } from '../world/world';
import type { HostState } from '../world/types';
import { planEvacuation } from './drs';
import { invalidState, VimFaultError } from './soap/faults';
import type { VcTask } from './tasks';

/** Real-world durations (ms, scaled by the lab clock). */
export const MAINTENANCE_DURATIONS = {
  /** One vMotion. */
  vmotion: 20_000,
  /** How often a stalled entry re-checks whether DRS can now finish (a blocker was powered off...). */
  recheck: 10_000,
  /** Setting the flag once the host is empty, and leaving maintenance mode. */
  modeSwitch: 5_000,
} as const;

/** Progress vCenter shows while an entry waits on VMs it cannot move. */
const STALL_PROGRESS = 2;

export interface MaintenanceDeps {
  readonly world: World;
  /** Hosts with an entry in flight: they take no VMs from other evacuations. */
  readonly entering: Set<string>;
}

const notConnected = (h: HostState) =>
  invalidState(
    `The operation is not allowed in the current connection state of the host (${h.connectionState}).`,
  );

/**
 * EnterMaintenanceMode_Task as a fully automated DRS cluster runs it: migrate what can move, then
 * wait for the rest. VMs that cannot be migrated (passthrough, FT, local disk, connected ISO,
 * must-run rules, the DRS-cannot-evacuate fault) keep the task at its progress until someone powers
 * them off or moves them, or until `timeoutSeconds` (0 = wait forever) ends it with Timedout. A lack
 * of capacity (including the HA failover level) fails it at once, with InsufficientResourcesFault.
 * CancelTask ends it with RequestCanceled; VMs already migrated stay where they went.
 */
export async function runEnterMaintenance(
  deps: MaintenanceDeps,
  host: HostState,
  task: VcTask,
  opts: { timeoutSeconds: number; evacuatePoweredOff: boolean },
): Promise<void> {
  const { world } = deps;
  const clock = world.clock;
  task.start(clock.now());
  if (host.connectionState !== 'connected') return task.fail(clock.now(), notConnected(host));
  if (host.inMaintenanceMode || deps.entering.has(host.id)) return task.fail(clock.now(), invalidState());
  deps.entering.add(host.id);
  let timedOut = false;
  let wake: (() => void) | undefined;
  const cancelTimeout =
    opts.timeoutSeconds > 0
      ? clock.after(opts.timeoutSeconds * 1000, () => {
          timedOut = true;
          wake?.();
        })
      : () => {};
  task.cancelable = true;
  task.onCancel = () => wake?.();
  const stop = () =>
    task.cancelRequested
      ? new VimFaultError('RequestCanceled', 'The task was canceled by a user.')
      : timedOut
        ? new VimFaultError('Timedout', 'Operation timed out.')
        : undefined;
  // A stalled entry sleeps until the next re-check, the timeout or a cancel, whichever comes first.
  const stall = () =>
    new Promise<void>((resolve) => {
      const cancel = clock.after(MAINTENANCE_DURATIONS.recheck, () => resolve());
      wake = () => {
        cancel();
        resolve();
      };
    });
  try {
    task.setProgress(STALL_PROGRESS);
    let moved = 0;
    for (;;) {
      if (world.isStopped) return;
      if (host.connectionState !== 'connected') return task.fail(clock.now(), notConnected(host));
      const plan = planEvacuation(world, host, {
        evacuatePoweredOff: opts.evacuatePoweredOff,
        entering: exclude(deps, host),
      });
      if (plan.insufficient) {
        return task.fail(clock.now(), new VimFaultError('InsufficientResourcesFault', plan.insufficient));
      }
      const total = moved + plan.moves.length + plan.pinned.length;
      let replan = false;
      for (const { vm, to } of plan.moves) {
        // DRS starts each migration only onto a host that can still keep the VM: one that began entering
        // maintenance mode since the plan (another host of the same batch) takes none — the rest is planned
        // again. Planned once, VMs went to a host that was itself being emptied, and moved twice.
        if (deps.entering.has(to.id) || to.inMaintenanceMode) {
          replan = true;
          break;
        }
        await clock.sleep(MAINTENANCE_DURATIONS.vmotion);
        if (world.isStopped) return;
        const ended = stop();
        if (ended) return task.fail(clock.now(), ended);
        // The world may have changed during the vMotion (VM powered off, target gone): skip, re-plan next round.
        if (vm.hostId !== host.id || to.connectionState !== 'connected' || to.inMaintenanceMode) continue;
        world.moveVm(vm.id, to.id);
        moved += 1;
        task.setProgress(STALL_PROGRESS + (90 * moved) / Math.max(1, total));
      }
      if (replan) continue;
      if (plan.pinned.length === 0 && plan.moves.length === 0) break;
      if (plan.moves.length === 0) {
        // Only pinned VMs left: stall, as vCenter does, until they go away, the timeout hits or a cancel.
        const ended = stop();
        if (ended) return task.fail(clock.now(), ended);
        await stall();
        wake = undefined;
      }
    }
    await clock.sleep(MAINTENANCE_DURATIONS.modeSwitch);
    if (world.isStopped) return;
    if (task.cancelRequested) return task.fail(clock.now(), stop()!);
    world.setMaintenanceMode(host.id, true);
    task.succeed(clock.now());
  } finally {
    task.onCancel = undefined;
    cancelTimeout();
    deps.entering.delete(host.id);
  }
}

function exclude(deps: MaintenanceDeps, host: HostState): Set<string> {
  const s = new Set(deps.entering);
  s.delete(host.id);
  return s;
}

/** ExitMaintenanceMode_Task. */
export async function runExitMaintenance(
  deps: MaintenanceDeps,
  host: HostState,
  task: VcTask,
): Promise<void> {
  const { world } = deps;
  const clock = world.clock;
  task.start(clock.now());
  if (host.connectionState !== 'connected') return task.fail(clock.now(), notConnected(host));
  if (!host.inMaintenanceMode) return task.fail(clock.now(), invalidState());
  task.setProgress(50);
  await clock.sleep(MAINTENANCE_DURATIONS.modeSwitch);
  if (world.isStopped) return;
  world.setMaintenanceMode(host.id, false);
  task.succeed(clock.now());
}
