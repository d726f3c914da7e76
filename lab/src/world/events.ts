import { EventEmitter } from 'node:events';
import type { ConnectionState, IdracJob, OsPhase, PowerState } from './types';

/** What happens in the world; the vCenter and OME simulators react to these. */
export interface WorldEvents {
  /** A reboot (or power-on) began: the host OS is going away. */
  'host-reboot-started': { hostId: string; reason: string };
  'host-power': { hostId: string; power: PowerState };
  'host-os-phase': { hostId: string; phase: OsPhase };
  /** ESXi is up again (vCenter reconnects after `vcenterReconnect`). */
  'host-up': { hostId: string };
  'host-connection': { hostId: string; connectionState: ConnectionState };
  'host-maintenance': { hostId: string; inMaintenanceMode: boolean };
  'idrac-reset-started': { hostId: string };
  'idrac-up': { hostId: string };
  'job-updated': { hostId: string; job: IdracJob };
  'firmware-applied': { hostId: string; fqdd: string; from: string; to: string };
  'vm-moved': { vmId: string; from: string; to: string };
  'vm-power': { vmId: string; powerState: 'poweredOn' | 'poweredOff' | 'suspended' };
  'cluster-ha': { clusterId: string };
}

export type WorldEventName = keyof WorldEvents;

/** A typed EventEmitter: `world.events.on('host-up', ({ hostId }) => ...)`. */
export class WorldEventBus {
  private readonly ee = new EventEmitter();

  constructor() {
    // 2,000 hosts x a few listeners each is normal here, not a leak.
    this.ee.setMaxListeners(0);
  }

  on<E extends WorldEventName>(event: E, listener: (payload: WorldEvents[E]) => void): () => void {
    this.ee.on(event, listener);
    return () => this.ee.off(event, listener);
  }

  once<E extends WorldEventName>(event: E, listener: (payload: WorldEvents[E]) => void): void {
    this.ee.once(event, listener);
  }

  emit<E extends WorldEventName>(event: E, payload: WorldEvents[E]): void {
    this.ee.emit(event, payload);
  }

  removeAll(): void {
    this.ee.removeAllListeners();
  }
}
