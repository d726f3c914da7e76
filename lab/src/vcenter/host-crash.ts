import type { World } from '../world/world';

/**
 * A host that reboots or loses power while VMs run on it (outside maintenance mode) takes them
 * down: they crash-stop and stay off. (vSphere HA would restart them elsewhere; the lab does not
 * model HA restarts, so operators see the damage a careless reboot does.) Returns an unsubscribe.
 */
export function crashStopOnReboot(world: World, vcenterId: string): () => void {
  const crash = (hostId: string) => {
    const host = world.hosts.get(hostId);
    if (!host || host.vcenterId !== vcenterId) return;
    for (const vm of world.vmsOnHost(hostId)) {
      if (vm.powerState === 'poweredOn') world.setVmPower(vm.id, 'poweredOff');
    }
  };
  const offReboot = world.events.on('host-reboot-started', ({ hostId }) => crash(hostId));
  const offPower = world.events.on('host-power', ({ hostId, power }) => {
    if (power === 'Off') crash(hostId);
  });
  return () => {
    offReboot();
    offPower();
  };
}
