import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import { VimFaultError } from '../vsphere/vim-faults';
import { createNasDatastore, datastoreByName, datastoreSystemOf, removeDatastore } from '../vsphere/vm-dr';
import type { CommandHandler } from './command-context';

const host = (value: string) => ({ type: 'HostSystem', value });

/**
 * datastore.mount-nfs — a clone or promoted replica exposed to the DR vCenter as an NFS datastore, on each
 * named host. A datastore of that name already there is the answer (mounted: false) when it is NFS; a
 * datastore of that name of another kind is a conflict, never remounted.
 */
export function createDatastoreMountHandler(devices: DeviceRegistry): CommandHandler<'datastore.mount-nfs'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    const existing = await datastoreByName(vc, p.name);
    if (existing && existing.type !== 'NFS') {
      throw new DeviceOperationError(
        'datastore_conflict',
        `${vc.device} has a ${existing.type} datastore ${p.name}`,
      );
    }
    let moref = existing?.ref;
    let mounted = false;
    for (const h of p.hostMorefs) {
      const system = await datastoreSystemOf(vc, host(h));
      await ctx.progress(`mounting ${p.remoteHost}:${p.remotePath} as ${p.name} on ${h}`);
      const made = await createNasDatastore(vc, system, p).catch((err: unknown) => {
        // The host has this export already (AlreadyExists). DuplicateName means the name is taken by another
        // export: that is a conflict, not this datastore.
        if (existing && err instanceof VimFaultError && err.faultType === 'AlreadyExists')
          return existing.ref;
        throw err;
      });
      if (!existing) mounted = true;
      moref ??= made;
    }
    if (!moref) throw new DeviceOperationError('datastore_missing', `${vc.device}: ${p.name} not mounted`);
    return { datastoreMoref: moref.value, mounted };
  };
}

/** datastore.unmount-nfs — only an NFS datastore named `rackops-…` (the schema); gone already is success. */
export function createDatastoreUnmountHandler(
  devices: DeviceRegistry,
): CommandHandler<'datastore.unmount-nfs'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    const existing = await datastoreByName(vc, p.name);
    if (!existing) return { unmounted: false };
    if (existing.type !== 'NFS') {
      throw new DeviceOperationError(
        'datastore_conflict',
        `${vc.device} ${p.name} is ${existing.type}, not NFS: not removed`,
      );
    }
    for (const h of p.hostMorefs) {
      const system = await datastoreSystemOf(vc, host(h));
      await ctx.progress(`unmounting ${p.name} from ${h}`);
      await removeDatastore(vc, system, existing.ref).catch((err: unknown) => {
        if (!(err instanceof VimFaultError && err.faultType === 'ManagedObjectNotFound')) throw err;
      });
    }
    return { unmounted: true };
  };
}
