import { RemoteCommandError } from './ssh-link';
import type { ZfsSession } from './zfs-appliance';
import type { ZfsProperty } from './zfs-argv';

/**
 * RackOps' own marks on a dataset, as ZFS user properties (they travel with the dataset, not with a send):
 * `rackops:replica` = the group whose replica it is (set by zfs.replicate on the target), `rackops:promoted` =
 * the snapshot a failover promoted it from. zfs-fuse cannot be asked for `readonly` (it reports its mount
 * state, always `off … temporary`), so these marks, not `readonly`, say what a dataset is.
 */
export const REPLICA_MARK = 'rackops:replica';
export const PROMOTED_MARK = 'rackops:promoted';

/** One property's value (`-` when unset), or undefined when the dataset does not exist. */
export async function readProp(
  s: ZfsSession,
  dataset: string,
  property: ZfsProperty,
): Promise<string | undefined> {
  try {
    return (await s.run({ verb: 'get', dataset, property })).trim();
  } catch (err) {
    if (err instanceof RemoteCommandError && /does not exist/.test(err.stderr)) return undefined;
    throw err;
  }
}

/** A RackOps mark is set: the property exists on the dataset and is not ZFS's '-' for "not set". */
export const markSet = (value: string | undefined): value is string => value !== undefined && value !== '-';
