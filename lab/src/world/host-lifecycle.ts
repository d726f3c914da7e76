import { RackOpsError } from '@rackops/core/util/errors';
import { DURATIONS } from '../clock';
import { runStagedJobs } from './idrac-jobs';
import { applyPendingScp } from './scp-attributes';
import type { HostState, OsPhase } from './types';
import type { World } from './world';

/** The reset types the captured iDRAC allows (`ResetType@Redfish.AllowableValues`). */
export const RESET_TYPES = [
  'On',
  'ForceOff',
  'ForceRestart',
  'GracefulRestart',
  'GracefulShutdown',
  'PushPowerButton',
  'Nmi',
  'PowerCycle',
] as const;
export type ResetType = (typeof RESET_TYPES)[number];

/** The request makes no sense in the current power state (a real iDRAC answers 409). */
export class PowerStateConflictError extends RackOpsError {
  constructor(hostId: string, message: string) {
    super('power_state_conflict', `${hostId}: ${message}`);
  }
}

function setPhase(world: World, host: HostState, phase: OsPhase): void {
  host.osPhase = phase;
  world.events.emit('host-os-phase', { hostId: host.id, phase });
}

/**
 * ComputerSystem.Reset. Durations come from DURATIONS through the lab clock; every step
 * checks the host's epoch so a newer power action cancels an older sequence.
 */
export function resetHost(world: World, hostId: string, type: ResetType, reason = `Reset ${type}`): void {
  const host = world.host(hostId);
  const on = host.power === 'On';
  switch (type) {
    case 'On':
      if (on) throw new PowerStateConflictError(hostId, 'the server is already powered on');
      powerOn(world, host, reason);
      return;
    case 'ForceOff':
      if (!on) throw new PowerStateConflictError(hostId, 'the server is already powered off');
      powerOff(world, host);
      return;
    case 'GracefulShutdown':
      if (!on) throw new PowerStateConflictError(hostId, 'the server is already powered off');
      gracefulThen(world, host, reason, () => powerOff(world, host));
      return;
    case 'GracefulRestart':
      if (!on) throw new PowerStateConflictError(hostId, 'the server is powered off');
      gracefulThen(world, host, reason, () => boot(world, host, reason));
      return;
    case 'ForceRestart':
      if (!on) throw new PowerStateConflictError(hostId, 'the server is powered off');
      boot(world, host, reason);
      return;
    case 'PowerCycle':
      if (on) boot(world, host, reason);
      else powerOn(world, host, reason);
      return;
    case 'PushPowerButton':
      if (on) gracefulThen(world, host, reason, () => powerOff(world, host));
      else powerOn(world, host, reason);
      return;
    case 'Nmi':
      return;
  }
}

function gracefulThen(world: World, host: HostState, reason: string, next: () => void): void {
  const epoch = ++host.epoch;
  setPhase(world, host, 'shuttingDown');
  world.setConnectionState(host, 'notResponding');
  world.events.emit('host-reboot-started', { hostId: host.id, reason });
  world.clock.after(DURATIONS.gracefulShutdown, () => {
    if (host.epoch === epoch) next();
  });
}

function powerOff(world: World, host: HostState): void {
  host.epoch++;
  host.power = 'Off';
  setPhase(world, host, 'off');
  world.setConnectionState(host, 'notResponding');
  world.events.emit('host-power', { hostId: host.id, power: 'Off' });
}

function powerOn(world: World, host: HostState, reason: string): void {
  host.power = 'On';
  world.events.emit('host-power', { hostId: host.id, power: 'On' });
  boot(world, host, reason);
}

/** POST, staged updates, ESXi boot, vCenter reconnect. */
function boot(world: World, host: HostState, reason: string): void {
  const epoch = ++host.epoch;
  const live = () => host.epoch === epoch && !world.isStopped;
  host.power = 'On';
  world.setConnectionState(host, 'notResponding');
  if (host.osPhase !== 'shuttingDown') world.events.emit('host-reboot-started', { hostId: host.id, reason });
  setPhase(world, host, 'post');
  world.clock.after(DURATIONS.post, () => {
    if (!live()) return;
    applyPendingScp(host);
    const afterUpdates = () => {
      if (!live()) return;
      if (world.faults.get(host.id).rebootHangs) {
        // The host never leaves POST: the iDRAC answers, ESXi never does.
        setPhase(world, host, 'hung');
        return;
      }
      setPhase(world, host, 'booting');
      world.clock.after(DURATIONS.esxiBoot, () => {
        if (!live()) return;
        host.lastBootAt = world.clock.now().toISOString();
        setPhase(world, host, 'running');
        world.events.emit('host-up', { hostId: host.id });
        world.clock.after(DURATIONS.vcenterReconnect, () => {
          if (live() && host.osPhase === 'running') world.setConnectionState(host, 'connected');
        });
      });
    };
    const staged = runStagedJobs(world, host, live, afterUpdates);
    if (staged) setPhase(world, host, 'applyingUpdates');
  });
}

/** The iDRAC reboots itself (after its own firmware update): sessions are dropped, it is unreachable a while. */
export function resetIdrac(world: World, hostId: string): void {
  const host = world.host(hostId);
  host.idrac = 'resetting';
  host.sessions.clear();
  world.events.emit('idrac-reset-started', { hostId });
  world.clock.after(DURATIONS.idracReset, () => {
    host.idrac = 'up';
    world.events.emit('idrac-up', { hostId });
  });
}

/** Server status as `DellLCService.GetRemoteServicesAPIStatus` reports it. */
export function serverStatus(host: HostState): 'OutOfPOST' | 'InPOST' | 'PoweredOff' | 'InUEFI' {
  if (host.power === 'Off') return 'PoweredOff';
  switch (host.osPhase) {
    case 'post':
    case 'applyingUpdates':
    case 'hung':
      return 'InPOST';
    case 'off':
      return 'PoweredOff';
    default:
      return 'OutOfPOST';
  }
}
