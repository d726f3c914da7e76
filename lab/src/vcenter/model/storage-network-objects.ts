import type { ClusterState, HostState, NfsDatastoreState, VmState } from '../../world/types';
import { arr, bool, en, long, mor, morArray, obj, str, type Vim } from '../soap/vim-value';
import type { VcContext } from '../vc-context';
import { fromGetters, type ManagedObject } from './managed-object';
import { DATASTORE_FOLDER, NETWORK_FOLDER, VM_NETWORK } from './morefs';

const TIB = 1024 ** 4;

export interface DatastoreDef {
  readonly moref: string;
  readonly name: string;
  /** Hosts that mount it: every host of the cluster (shared) or one host (local disk). */
  readonly hostIds: readonly string[];
  readonly capacity: number;
  readonly local: boolean;
  readonly cluster: ClusterState;
}

/** Disk size the lab gives a VM (bytes): sized from its memory so large labs fill datastores plausibly. */
export function vmDiskBytes(memoryMiB: number): number {
  return Math.max(16, Math.round(memoryMiB / 64)) * 1024 ** 3;
}

export function datastoreObject(ctx: VcContext, ds: DatastoreDef): ManagedObject {
  const { world } = ctx;
  return datastoreManaged({
    moref: ds.moref,
    name: ds.name,
    type: 'VMFS',
    capacity: ds.capacity,
    multipleHostAccess: !ds.local,
    mountSuffix: 'lab',
    vms: () =>
      ds.hostIds
        .flatMap((id) => world.vmsOnHost(id))
        .filter((v) => !v.registration && (ds.local ? v.devices.localStorage : !v.devices.localStorage)),
    hosts: () => ds.hostIds.map((id) => world.host(id)),
  });
}

/** An NFS datastore (a ZFS dataset or clone exported by an appliance): its VMs are the ones registered from it. */
export function nfsDatastoreObject(ctx: VcContext, ds: NfsDatastoreState): ManagedObject {
  const { world } = ctx;
  return datastoreManaged({
    moref: ds.moref,
    name: ds.name,
    type: 'NFS',
    capacity: SHARED_CAPACITY,
    multipleHostAccess: true,
    mountSuffix: 'nfs',
    vms: () =>
      [...world.vms.values()].filter(
        (v) => v.vcenterId === ctx.vcenter.id && v.registration?.datastoreMoref === ds.moref,
      ),
    hosts: () => [...world.hosts.values()].filter((h) => h.vcenterId === ctx.vcenter.id),
  });
}

/** What tells a VMFS datastore of the lab from an NFS one; the managed object is the same shape. */
interface DatastoreShape {
  readonly moref: string;
  readonly name: string;
  readonly type: 'VMFS' | 'NFS';
  readonly capacity: number;
  readonly multipleHostAccess: boolean;
  readonly mountSuffix: string;
  readonly vms: () => VmState[];
  readonly hosts: () => HostState[];
}

function datastoreManaged(d: DatastoreShape): ManagedObject {
  const mount = `/vmfs/volumes/${d.moref.replace('datastore-', '')}-${d.mountSuffix}`;
  const free = () => Math.max(0, d.capacity - d.vms().reduce((s, v) => s + vmDiskBytes(v.memoryMiB), 0));
  return fromGetters(
    { type: 'Datastore', value: d.moref },
    {
      name: () => str(d.name),
      parent: () => mor('Folder', DATASTORE_FOLDER),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      summary: () =>
        obj('DatastoreSummary', {
          datastore: mor('Datastore', d.moref),
          name: str(d.name),
          url: str(`ds://${mount}/`),
          capacity: long(d.capacity),
          freeSpace: long(free()),
          uncommitted: long(0),
          accessible: bool(true),
          multipleHostAccess: bool(d.multipleHostAccess),
          type: str(d.type),
          maintenanceMode: str('normal'),
        }),
      host: () => hostMounts(d.hosts(), mount),
      vm: () => morArray(d.vms().map((v) => mor('VirtualMachine', v.moref))),
    },
  );
}

/** A datastore's mounts: one per host of its vCenter, accessible while the host is connected. */
function hostMounts(hosts: readonly HostState[], path: string): Vim {
  return arr(
    'DatastoreHostMount',
    hosts.map((h) =>
      obj('DatastoreHostMount', {
        key: mor('HostSystem', h.moref),
        mountInfo: obj('HostMountInfo', {
          path: str(path),
          accessMode: str('readWrite'),
          mounted: bool(true),
          accessible: bool(h.connectionState === 'connected'),
        }),
      }),
    ),
  );
}

export interface NetworkDef {
  readonly moref: string;
  readonly name: string;
}

export function networkObject(ctx: VcContext, net: NetworkDef): ManagedObject {
  const { world } = ctx;
  const hosts = () => [...world.hosts.values()].filter((h) => h.vcenterId === ctx.vcenter.id);
  return fromGetters(
    { type: 'Network', value: net.moref },
    {
      name: () => str(net.name),
      parent: () => mor('Folder', NETWORK_FOLDER),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      summary: () =>
        obj('NetworkSummary', {
          network: mor('Network', net.moref),
          name: str(net.name),
          accessible: bool(true),
        }),
      host: () => morArray(hosts().map((h) => mor('HostSystem', h.moref))),
      vm: (): Vim =>
        morArray(
          [...world.vms.values()]
            .filter((v) => v.vcenterId === ctx.vcenter.id && (v.networkMoref ?? VM_NETWORK) === net.moref)
            .map((v) => mor('VirtualMachine', v.moref)),
        ),
    },
  );
}

export const SHARED_CAPACITY = 40 * TIB;
export const LOCAL_CAPACITY = 1.6 * TIB;
