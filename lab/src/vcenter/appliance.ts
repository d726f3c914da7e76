import type { World } from '../world/world';

/** A vCenter appliance takes minutes to boot before it answers again (real ms, scaled). */
export const APPLIANCE_BOOT_MS = 300_000;

export interface ApplianceWatch {
  /** The vCenter's own VM is not running: the vCenter does not answer at all. */
  isDown(): boolean;
  stop(): void;
}

/**
 * The vCenter runs in one of the VMs it manages (the config's `isVcenterAppliance`). When that VM
 * stops — powered off through the vCenter itself, or crashed by a reboot of its host outside
 * maintenance mode — the vCenter stops answering and forgets its sessions. After a crash the host
 * restarts it once the host is back (ESXi VM autostart / vSphere HA); a VM someone powered off
 * stays off (in reality: until an administrator starts it from the host client; in the lab:
 * `world.setVmPower(id, 'poweredOn')`).
 */
export function watchAppliance(world: World, vcenterId: string, onDown: () => void): ApplianceWatch {
  const vm = [...world.vms.values()].find((v) => v.vcenterId === vcenterId && v.isVcenterAppliance);
  if (!vm) return { isDown: () => false, stop: () => {} };
  let crashedOn: string | undefined;
  const offs: Array<() => void> = [];
  const crash = (hostId: string) => {
    if (vm.hostId === hostId && vm.powerState === 'poweredOn') crashedOn = hostId;
  };
  // Registered before the crash-stop listener's effect is seen: remember that this stop was a crash.
  offs.push(world.events.on('host-reboot-started', ({ hostId }) => crash(hostId)));
  offs.push(world.events.on('host-power', ({ hostId, power }) => power === 'Off' && crash(hostId)));
  offs.push(
    world.events.on('vm-power', ({ vmId, powerState }) => {
      if (vmId === vm.id && powerState !== 'poweredOn') onDown();
    }),
  );
  offs.push(
    world.events.on('host-connection', ({ hostId, connectionState }) => {
      if (crashedOn !== hostId || connectionState !== 'connected') return;
      crashedOn = undefined;
      world.clock.after(APPLIANCE_BOOT_MS, () => {
        const host = world.hosts.get(vm.hostId);
        if (!world.isStopped && vm.powerState !== 'poweredOn' && host?.connectionState === 'connected') {
          world.setVmPower(vm.id, 'poweredOn');
        }
      });
    }),
  );
  return {
    isDown: () => vm.powerState !== 'poweredOn',
    stop: () => {
      for (const off of offs) off();
    },
  };
}
