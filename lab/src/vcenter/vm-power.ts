import type { World } from '../world/world';
import type { VmState } from '../world/types';
import { toolsRunning } from './model/vm-object';
import { haShortfall, pinReasons, sharedDatastoreName, targetHosts } from './drs';
import { invalidPowerState, invalidState, VimFaultError } from './soap/faults';
import type { VcTask } from './tasks';

export const VM_POWER_DURATIONS = {
  powerOn: 5_000,
  powerOff: 2_000,
  /** Guest OS shutdown through VMware Tools. */
  guestShutdown: 30_000,
} as const;

/**
 * PowerOnVM_Task. A VM registered on a host that cannot run it (maintenance mode, not connected) is
 * placed by DRS on another host of the cluster first, as vCenter's initial placement does, unless a
 * device pins it there.
 */
export async function runPowerOn(world: World, vm: VmState, task: VcTask): Promise<void> {
  const clock = world.clock;
  task.start(clock.now());
  if (vm.powerState === 'poweredOn')
    return task.fail(clock.now(), invalidPowerState('poweredOff', vm.powerState));
  const host = world.host(vm.hostId);
  const cluster = world.cluster(vm.clusterId);
  if (host.connectionState !== 'connected' || host.inMaintenanceMode) {
    const target =
      cluster.drsEnabled && pinReasons(vm, sharedDatastoreName(cluster)).length === 0
        ? pickHost(world, vm)
        : undefined;
    if (!target) {
      return task.fail(
        clock.now(),
        invalidState(`The operation is not allowed in the current state of the host ${host.name}.`),
      );
    }
    world.moveVm(vm.id, target);
  }
  const { ha } = cluster;
  if (ha.haEnabled && ha.admissionControlEnabled && ha.failoverLevel > 0) {
    const shortfall = haShortfall(world, cluster, targetHosts(world, cluster, new Set()), ha.failoverLevel, {
      cpu: vm.cpuMhz,
      mem: vm.memoryMiB,
    });
    if (shortfall) return task.fail(clock.now(), new VimFaultError('InsufficientResourcesFault', shortfall));
  }
  task.setProgress(50);
  await clock.sleep(VM_POWER_DURATIONS.powerOn);
  if (world.isStopped) return;
  // Someone else may have powered it on during the wait.
  if ((vm.powerState as VmState['powerState']) === 'poweredOn') {
    return task.fail(clock.now(), invalidPowerState('poweredOff', 'poweredOn'));
  }
  world.setVmPower(vm.id, 'poweredOn');
  task.succeed(clock.now());
}

function pickHost(world: World, vm: VmState): string | undefined {
  const cluster = world.cluster(vm.clusterId);
  const free = (hostId: string) => {
    const h = world.host(hostId);
    const on = world.vmsOnHost(hostId).filter((v) => v.powerState === 'poweredOn');
    return {
      cpu: h.cpuMhz - on.reduce((s, v) => s + v.cpuMhz, 0),
      mem: h.memoryMiB - on.reduce((s, v) => s + v.memoryMiB, 0),
    };
  };
  return targetHosts(world, cluster, new Set())
    .map((h) => ({ id: h.id, f: free(h.id) }))
    .filter((x) => x.f.cpu >= vm.cpuMhz && x.f.mem >= vm.memoryMiB)
    .sort((a, b) => b.f.mem - a.f.mem || a.id.localeCompare(b.id))[0]?.id;
}

/** PowerOffVM_Task: a hard power-off. */
export async function runPowerOff(world: World, vm: VmState, task: VcTask): Promise<void> {
  const clock = world.clock;
  task.start(clock.now());
  if (vm.powerState === 'poweredOff')
    return task.fail(clock.now(), invalidPowerState('poweredOn', vm.powerState));
  task.setProgress(50);
  await clock.sleep(VM_POWER_DURATIONS.powerOff);
  if (world.isStopped) return;
  world.setVmPower(vm.id, 'poweredOff');
  task.succeed(clock.now());
}

/**
 * ShutdownGuest: not a task. vCenter returns at once after asking VMware Tools; the VM powers off
 * when the guest finishes (clients poll runtime.powerState).
 */
export function shutdownGuest(world: World, vm: VmState): void {
  if (vm.powerState !== 'poweredOn') throw invalidPowerState('poweredOn', vm.powerState);
  if (!toolsRunning(vm, world.clock)) {
    throw new VimFaultError(
      'ToolsUnavailable',
      'Cannot complete operation because VMware Tools is not running in this virtual machine.',
    );
  }
  // A guest asked to shut down that is powered off and on again meanwhile is a new boot: it keeps running.
  const boot = vm.poweredOnAt;
  world.clock.after(VM_POWER_DURATIONS.guestShutdown, () => {
    if (!world.isStopped && vm.powerState === 'poweredOn' && vm.poweredOnAt === boot) {
      world.setVmPower(vm.id, 'poweredOff');
    }
  });
}
