import { stat } from 'node:fs/promises';
import { ValidationError } from '@rackops/core/util/errors';
import { datastoreSystemOf } from './model/host-object';
import type { VcInventory } from './model/inventory';
import { allowedRemoteHost, isExported, mountNfsDatastore, unmountNfsDatastore } from './nfs-datastores';
import { optionalText, readMor, readThis } from './soap/decode';
import { invalidArgument, managedObjectNotFound, VimFaultError } from './soap/faults';
import { mor, str, type Vim } from './soap/vim-value';
import { child, type XNode } from './soap/xml-tree';
import type { VcContext } from './vc-context';

type Answer = { returnval?: Vim };

const hostConfigFault = (message: string) => new VimFaultError('HostConfigFault', message);

/**
 * HostDatastoreSystem.CreateNasDatastore / RemoveDatastore: an NFS export of the lab's loopback appliances
 * (a ZFS dataset's or clone's mountpoint under an export root) mounted on every host of the vCenter.
 * Anything else — another server, a path outside the exports, a missing directory — fails as a real
 * mount would (HostConfigFault), and nothing is mounted.
 */
export function nasMethods(scope: {
  ctx: VcContext;
  inventory: VcInventory;
}): Record<string, (method: XNode) => Promise<Answer> | Answer> {
  const { ctx, inventory } = scope;
  const world = ctx.world;
  const systemHost = (method: XNode) => {
    const ref = readThis(method);
    const host = inventory.allHosts().find((h) => datastoreSystemOf(h) === ref.value);
    if (ref.type !== 'HostDatastoreSystem' || !host) throw managedObjectNotFound(mor(ref.type, ref.value));
    return host;
  };
  return {
    CreateNasDatastore: async (method) => {
      const host = systemHost(method);
      const spec = child(method, 'spec');
      if (!spec) throw invalidArgument('spec');
      const remoteHost = optionalText(spec, 'remoteHost');
      const remotePath = optionalText(spec, 'remotePath');
      const name = optionalText(spec, 'localPath');
      if (!remoteHost || !remotePath || !name) throw invalidArgument('spec');
      const what = `NFS mount ${remoteHost}:${remotePath} failed`;
      if (!allowedRemoteHost(remoteHost)) throw hostConfigFault(`${what}: Unable to connect to NFS server.`);
      if (
        !remotePath.startsWith('/') ||
        remotePath.split('/').includes('..') ||
        !isExported(world, remotePath)
      ) {
        throw hostConfigFault(`${what}: The NFS server denied the mount request.`);
      }
      const isDir = await stat(remotePath).then(
        (st) => st.isDirectory(),
        () => false,
      );
      if (!isDir) throw hostConfigFault(`${what}: The mount request was denied by the NFS server.`);
      if (host.connectionState !== 'connected')
        throw new VimFaultError('HostNotConnected', `${host.name} is not connected`);
      try {
        return { returnval: mor('Datastore', mountNfsDatastore(world, ctx.vcenter.id, name, remotePath)) };
      } catch (err) {
        if (err instanceof ValidationError)
          throw new VimFaultError('DuplicateName', err.message, { name: str(name) });
        throw err;
      }
    },
    RemoveDatastore: (method) => {
      systemHost(method);
      const ds = readMor(child(method, 'datastore'), 'datastore');
      const nfs = inventory.nfsDatastore(ds.value);
      if (!nfs) {
        if (inventory.exists(ds))
          throw new VimFaultError('NotSupported', 'The lab removes NFS datastores only.');
        throw managedObjectNotFound(mor(ds.type, ds.value));
      }
      try {
        unmountNfsDatastore(world, ctx.vcenter.id, nfs.name);
      } catch (err) {
        if (err instanceof ValidationError) throw new VimFaultError('ResourceInUse', err.message);
        throw err;
      }
      return {};
    },
  };
}
