import { snapshotStamp } from './snapshot-name';
import { DATASET_PATTERN, type ProtectionGroupName } from './zfs-names';

/**
 * Test-failover clones: `<pool>/rackops-test-<group>-<YYYYMMDDTHHMMSSZ>`, directly under the target pool,
 * away from the replica's own tree (replication receives into the replica and never sees them). The name is
 * the only thing `zfs.destroy-clone` accepts: nothing else on an appliance can match it.
 */
const CLONE = /^([A-Za-z][A-Za-z0-9_.:-]*)\/rackops-test-([a-z0-9]+(?:-[a-z0-9]+)*)-(\d{8}T\d{6}Z)$/;

export function cloneName(dataset: string, group: ProtectionGroupName, at: Date): string {
  const pool = dataset.split('/')[0] ?? dataset;
  const name = `${pool}/rackops-test-${group}-${snapshotStamp(at)}`;
  if (!DATASET_PATTERN.test(name)) throw new Error(`not a dataset name: ${name}`);
  return name;
}

/** True only for a clone name this group's test failover makes (another group's, or any other dataset: false). */
export function isGroupClone(name: string, group: ProtectionGroupName): boolean {
  const m = CLONE.exec(name);
  return m !== null && m[2] === group;
}

/** Any RackOps test clone, of whichever group: the one shape of dataset the agent's destroy verb accepts. */
export function isRackopsClone(name: string): boolean {
  return CLONE.test(name);
}
