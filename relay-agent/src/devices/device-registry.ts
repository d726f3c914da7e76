import type { CommandTarget } from '@rackops/core/relay/envelope';
import { RackOpsError } from '@rackops/core/util/errors';
import type { OmeClient } from '../ome/ome-client';
import type { RedfishClient } from '../redfish/redfish-client';
import type { VsphereClient } from '../vsphere/vsphere-client';

export class UnknownTargetError extends RackOpsError {
  constructor(type: string, id: string) {
    super('unknown_target', `no ${type} "${id}" in this agent's device inventory`);
  }
}

/** The devices this agent may touch, by inventory id. Commands can name nothing else. */
export interface DeviceRegistry {
  idrac(hostId: string): RedfishClient;
  vcenter(id: string): VsphereClient;
  ome(id: string): OmeClient;
  has(target: CommandTarget): boolean;
  close(): Promise<void>;
}

export interface DeviceMaps {
  readonly idracs: ReadonlyMap<string, RedfishClient>;
  readonly vcenters: ReadonlyMap<string, VsphereClient>;
  readonly omes: ReadonlyMap<string, OmeClient>;
  /** ZFS appliance ids (their SSH sessions are opened per command by the zfs handlers). */
  readonly zfs?: ReadonlySet<string>;
  /** Releases sockets and sessions. */
  readonly onClose?: () => Promise<void>;
}

export function createDeviceRegistry(maps: DeviceMaps): DeviceRegistry {
  const pick = <T>(m: ReadonlyMap<string, T>, type: string, id: string): T => {
    const c = m.get(id);
    if (!c) throw new UnknownTargetError(type, id);
    return c;
  };
  return {
    idrac: (id) => pick(maps.idracs, 'idrac', id),
    vcenter: (id) => pick(maps.vcenters, 'vcenter', id),
    ome: (id) => pick(maps.omes, 'ome', id),
    has: (t) =>
      t.type === 'idrac'
        ? maps.idracs.has(t.id)
        : t.type === 'vcenter'
          ? maps.vcenters.has(t.id)
          : t.type === 'ome'
            ? maps.omes.has(t.id)
            : t.type === 'zfs'
              ? (maps.zfs?.has(t.id) ?? false)
              : false,
    close: async () => {
      await maps.onClose?.();
    },
  };
}
