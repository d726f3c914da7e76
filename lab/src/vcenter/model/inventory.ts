import type { ClusterState, HostState, NfsDatastoreState, VmState } from '../../world/types';
import type { MoRef } from '../soap/decode';
import { arr, en, mor, morArray, str, type Vim } from '../soap/vim-value';
import type { VcContext } from '../vc-context';
import type { EntityTree } from '../views';
import { clusterObject } from './cluster-object';
import { hostObject } from './host-object';
import { fromGetters, type ManagedObject, type ObjectSource } from './managed-object';
import {
  DATACENTER,
  DATASTORE_FOLDER,
  computeResourceType,
  HOST_FOLDER,
  localDatastoreOf,
  MGMT_NETWORK,
  NETWORK_FOLDER,
  portGroupMoref,
  resourcePoolOf,
  ROOT_FOLDER,
  sharedDatastoreOf,
  VM_FOLDER,
  VM_NETWORK,
} from './morefs';
import {
  type DatastoreDef,
  datastoreObject,
  LOCAL_CAPACITY,
  type NetworkDef,
  networkObject,
  nfsDatastoreObject,
  SHARED_CAPACITY,
} from './storage-network-objects';
import { vmObject } from './vm-object';

const ref = (type: string, value: string): MoRef => ({ type, value });

/**
 * The vCenter inventory over the world: one datacenter, its four folders, the vCenter's clusters
 * (with a root resource pool each), hosts, VMs, a shared datastore per cluster, a local datastore
 * per host, and two standard port groups. Objects are built on lookup; values are always current.
 */
export class VcInventory implements ObjectSource, EntityTree {
  readonly datacenterName: string;
  private readonly clusters: ClusterState[];
  private readonly hostsByMoref = new Map<string, HostState>();
  private readonly clustersByMoref = new Map<string, ClusterState>();
  private readonly clustersByPool = new Map<string, ClusterState>();
  readonly datastores = new Map<string, DatastoreDef>();
  readonly networks: NetworkDef[];

  constructor(private readonly ctx: VcContext) {
    this.networks = [
      { moref: VM_NETWORK, name: 'VM Network' },
      { moref: MGMT_NETWORK, name: 'Management Network' },
      ...ctx.vcenter.portGroups.map((name, n) => ({ moref: portGroupMoref(n), name })),
    ];
    this.datacenterName = `${ctx.vcenter.name}-dc`;
    this.clusters = ctx.vcenter.clusterIds.map((id) => ctx.world.cluster(id));
    for (const c of this.clusters) {
      this.clustersByMoref.set(c.moref, c);
      this.clustersByPool.set(resourcePoolOf(c), c);
      this.datastores.set(sharedDatastoreOf(c), {
        moref: sharedDatastoreOf(c),
        name: `${c.name}-ds01`,
        hostIds: [...c.hostIds],
        capacity: SHARED_CAPACITY,
        local: false,
        cluster: c,
      });
      for (const h of c.hostIds.map((id) => ctx.world.host(id))) {
        this.hostsByMoref.set(h.moref, h);
        this.datastores.set(localDatastoreOf(h), {
          moref: localDatastoreOf(h),
          name: `datastore1 (${h.name.split('.')[0]})`,
          hostIds: [h.id],
          capacity: LOCAL_CAPACITY,
          local: true,
          cluster: c,
        });
      }
    }
  }

  get rootFolder(): MoRef {
    return ref('Folder', ROOT_FOLDER);
  }

  allClusters(): readonly ClusterState[] {
    return this.clusters;
  }

  hostByMoref(moref: string): HostState | undefined {
    return this.hostsByMoref.get(moref);
  }

  clusterByMoref(moref: string): ClusterState | undefined {
    return this.clustersByMoref.get(moref);
  }

  /** The cluster whose root resource pool this is. */
  clusterByPool(moref: string): ClusterState | undefined {
    return this.clustersByPool.get(moref);
  }

  vmByMoref(moref: string): VmState | undefined {
    const vm = this.ctx.world.vms.get(moref);
    return vm && vm.vcenterId === this.ctx.vcenter.id ? vm : undefined;
  }

  allHosts(): HostState[] {
    return [...this.hostsByMoref.values()];
  }

  allVms(): VmState[] {
    return [...this.ctx.world.vms.values()].filter((v) => v.vcenterId === this.ctx.vcenter.id);
  }

  exists(r: MoRef): boolean {
    return this.get(r) !== undefined;
  }

  get(r: MoRef): ManagedObject | undefined {
    switch (r.type) {
      case 'HostSystem': {
        const h = this.hostsByMoref.get(r.value);
        return h && hostObject(this.ctx, h);
      }
      case 'VirtualMachine': {
        const vm = this.vmByMoref(r.value);
        return vm && vmObject(this.ctx, vm);
      }
      case 'ClusterComputeResource':
      case 'ComputeResource': {
        const c = this.clustersByMoref.get(r.value);
        return c && clusterObject(this.ctx, c);
      }
      case 'Datastore': {
        const ds = this.datastores.get(r.value);
        if (ds) return datastoreObject(this.ctx, ds);
        const nfs = this.nfsDatastore(r.value);
        return nfs && nfsDatastoreObject(this.ctx, nfs);
      }
      case 'Network': {
        const net = this.networks.find((n) => n.moref === r.value);
        return net && networkObject(this.ctx, net);
      }
      case 'ResourcePool': {
        const c = this.clustersByPool.get(r.value);
        return c && this.resourcePool(c);
      }
      case 'Datacenter':
        return r.value === DATACENTER ? this.datacenter() : undefined;
      case 'Folder':
        return this.folder(r.value);
      default:
        return undefined;
    }
  }

  children(r: MoRef): readonly MoRef[] {
    switch (r.type) {
      case 'Folder':
        return this.folderChildren(r.value).map((v) => ({ type: v.type, value: v.value }));
      case 'Datacenter':
        return r.value === DATACENTER
          ? [
              ref('Folder', VM_FOLDER),
              ref('Folder', HOST_FOLDER),
              ref('Folder', DATASTORE_FOLDER),
              ref('Folder', NETWORK_FOLDER),
            ]
          : [];
      case 'ClusterComputeResource':
      case 'ComputeResource': {
        const c = this.clustersByMoref.get(r.value);
        if (!c) return [];
        return [
          ...c.hostIds.map((id) => ref('HostSystem', this.ctx.world.host(id).moref)),
          ref('ResourcePool', resourcePoolOf(c)),
        ];
      }
      case 'ResourcePool': {
        const c = this.clustersByPool.get(r.value);
        return c ? this.vmsOfCluster(c).map((v) => ref('VirtualMachine', v.moref)) : [];
      }
      case 'HostSystem': {
        const h = this.hostsByMoref.get(r.value);
        return h ? this.ctx.world.vmsOnHost(h.id).map((v) => ref('VirtualMachine', v.moref)) : [];
      }
      default:
        return [];
    }
  }

  nfsDatastore(moref: string): NfsDatastoreState | undefined {
    return this.ctx.vcenter.nfsDatastores.find((d) => d.moref === moref);
  }

  private allDatastoreMorefs(): string[] {
    return [...this.datastores.keys(), ...this.ctx.vcenter.nfsDatastores.map((d) => d.moref)];
  }

  private vmsOfCluster(c: ClusterState): VmState[] {
    return c.hostIds.flatMap((id) => this.ctx.world.vmsOnHost(id));
  }

  private folderChildren(id: string): Array<{ type: string; value: string }> {
    switch (id) {
      case ROOT_FOLDER:
        return [ref('Datacenter', DATACENTER)];
      case HOST_FOLDER:
        return this.clusters.map((c) => ref(computeResourceType(c), c.moref));
      case VM_FOLDER:
        return this.allVms().map((v) => ref('VirtualMachine', v.moref));
      case DATASTORE_FOLDER:
        return this.allDatastoreMorefs().map((d) => ref('Datastore', d));
      case NETWORK_FOLDER:
        return this.networks.map((n) => ref('Network', n.moref));
      default:
        return [];
    }
  }

  private folder(id: string): ManagedObject | undefined {
    const meta: Record<string, { name: string; parent?: MoRef; childType: string[] }> = {
      [ROOT_FOLDER]: { name: 'Datacenters', childType: ['Folder', 'Datacenter'] },
      [VM_FOLDER]: {
        name: 'vm',
        parent: ref('Datacenter', DATACENTER),
        childType: ['Folder', 'VirtualMachine', 'VirtualApp'],
      },
      [HOST_FOLDER]: {
        name: 'host',
        parent: ref('Datacenter', DATACENTER),
        childType: ['Folder', 'ComputeResource'],
      },
      [DATASTORE_FOLDER]: {
        name: 'datastore',
        parent: ref('Datacenter', DATACENTER),
        childType: ['Folder', 'Datastore', 'StoragePod'],
      },
      [NETWORK_FOLDER]: {
        name: 'network',
        parent: ref('Datacenter', DATACENTER),
        childType: ['Folder', 'Network', 'DistributedVirtualSwitch'],
      },
    };
    const m = meta[id];
    if (!m) return undefined;
    const parent = m.parent;
    return fromGetters(ref('Folder', id), {
      name: () => str(m.name),
      parent: () => (parent ? mor(parent.type, parent.value) : undefined),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      childEntity: () => morArray(this.folderChildren(id).map((c) => mor(c.type, c.value))),
      childType: () => arr('string', m.childType.map(str)),
    });
  }

  private datacenter(): ManagedObject {
    return fromGetters(ref('Datacenter', DATACENTER), {
      name: () => str(this.datacenterName),
      parent: () => mor('Folder', ROOT_FOLDER),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      vmFolder: () => mor('Folder', VM_FOLDER),
      hostFolder: () => mor('Folder', HOST_FOLDER),
      datastoreFolder: () => mor('Folder', DATASTORE_FOLDER),
      networkFolder: () => mor('Folder', NETWORK_FOLDER),
      datastore: () => morArray(this.allDatastoreMorefs().map((d) => mor('Datastore', d))),
      network: () => morArray(this.networks.map((n) => mor('Network', n.moref))),
    });
  }

  private resourcePool(c: ClusterState): ManagedObject {
    return fromGetters(ref('ResourcePool', resourcePoolOf(c)), {
      name: () => str('Resources'),
      parent: () => mor(computeResourceType(c), c.moref),
      owner: () => mor(computeResourceType(c), c.moref),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      vm: (): Vim => morArray(this.vmsOfCluster(c).map((v) => mor('VirtualMachine', v.moref))),
    });
  }
}
