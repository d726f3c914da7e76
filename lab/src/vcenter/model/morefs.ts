import type { ClusterState, HostState } from '../../world/types';

/**
 * Managed object ids of what the world does not name itself. Hosts, VMs and clusters carry their
 * morefs in the world; folders, the datacenter, resource pools, datastores and networks are the
 * vCenter simulator's own, with the numbering style of a real vCenter (`group-d1`, `datastore-1001`).
 */
export const ROOT_FOLDER = 'group-d1';
export const DATACENTER = 'datacenter-3';
export const VM_FOLDER = 'group-v4';
export const HOST_FOLDER = 'group-h5';
export const DATASTORE_FOLDER = 'group-s6';
export const NETWORK_FOLDER = 'group-n7';
export const VM_NETWORK = 'network-11';
export const MGMT_NETWORK = 'network-12';

function num(moref: string): string {
  return moref.replace(/^\D+/, '');
}

/** The cluster's root resource pool. */
export const resourcePoolOf = (c: ClusterState) => `resgroup-${num(c.moref)}`;

/** The datastore every host of a cluster mounts (shared storage: VMs on it can vMotion). */
export const sharedDatastoreOf = (c: ClusterState) => `datastore-${num(c.moref)}`;

/** The host's local disk datastore (VMs on it cannot vMotion). */
export const localDatastoreOf = (h: HostState) => `datastore-${100_000 + h.index}`;

/** The n-th extra port group of a vCenter (`portGroups` in the lab config). */
export const portGroupMoref = (n: number) => `network-${100 + n}`;

/** The n-th NFS datastore mounted at run time (a replica clone or a promoted DR dataset). */
export const nfsDatastoreMoref = (n: number) => `datastore-${200_000 + n}`;

/** A cluster is a `ClusterComputeResource`; a standalone host's parent a plain `ComputeResource`. */
export const computeResourceType = (c: ClusterState) =>
  c.standalone ? 'ComputeResource' : 'ClusterComputeResource';
