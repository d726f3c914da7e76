import { isAbsolute } from 'node:path';
import { ValidationError } from '@rackops/core/util/errors';
import type { World } from '../world/world';
import { nfsDatastoreMoref } from './model/morefs';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** Directories the lab's NFS "appliances" export (a ZFS site's mount root): CreateNasDatastore mounts only under these. */
const EXPORTS = new WeakMap<World, Set<string>>();

export function allowNfsExport(world: World, root: string): void {
  if (!isAbsolute(root)) throw new ValidationError('an export root must be absolute');
  const set = EXPORTS.get(world) ?? new Set<string>();
  set.add(root.replace(/\/+$/, ''));
  EXPORTS.set(world, set);
}

export function isExported(world: World, dir: string): boolean {
  const roots = EXPORTS.get(world);
  return roots !== undefined && [...roots].some((r) => dir === r || dir.startsWith(`${r}/`));
}

/**
 * Mounts a directory (a ZFS dataset's or clone's mountpoint) as an NFS datastore on every host of a
 * vCenter, as `CreateNasDatastore` would for an appliance export. Idempotent for the same name and directory.
 */
export function mountNfsDatastore(world: World, vcenterId: string, name: string, localDir: string): string {
  const vc = world.vcenters.get(vcenterId);
  if (!vc) throw new ValidationError(`no vCenter ${vcenterId}`);
  if (!NAME.test(name)) throw new ValidationError(`datastore name '${name}' is not allowed`);
  if (!isAbsolute(localDir)) throw new ValidationError('localDir must be absolute');
  const same = vc.nfsDatastores.find((d) => d.name === name);
  if (same) {
    if (same.localDir !== localDir)
      throw new ValidationError(`datastore ${name} is mounted from ${same.localDir}`);
    return same.moref;
  }
  const used = new Set([...world.vcenters.values()].flatMap((v) => v.nfsDatastores.map((d) => d.moref)));
  let n = 1;
  while (used.has(nfsDatastoreMoref(n))) n++;
  const moref = nfsDatastoreMoref(n);
  vc.nfsDatastores.push({ moref, name, localDir });
  return moref;
}

/** Unmounts it; refused while a registered VM lives on it (vSphere: ResourceInUse). */
export function unmountNfsDatastore(world: World, vcenterId: string, name: string): void {
  const vc = world.vcenters.get(vcenterId);
  const i = vc?.nfsDatastores.findIndex((d) => d.name === name) ?? -1;
  if (!vc || i < 0) return;
  const moref = vc.nfsDatastores[i]?.moref;
  if ([...world.vms.values()].some((v) => v.registration?.datastoreMoref === moref)) {
    throw new ValidationError(`datastore ${name} has registered VMs`);
  }
  vc.nfsDatastores.splice(i, 1);
}

/** The lab's appliances listen on loopback only. */
export const allowedRemoteHost = (h: string): boolean =>
  h === '127.0.0.1' || h === 'localhost' || h === '::1';
