import { z } from 'zod';

/**
 * One component of a ZFS name. It must start with a letter or digit, so nothing built from it can be read as
 * an option (`-o…`) by `zfs`, and it carries no space, quote, `$`, `;` or `/`: a name is an argv element,
 * never shell text.
 */
const COMPONENT = '[A-Za-z0-9][A-Za-z0-9_.:-]*';

/** `pool/child/...`: the pool starts with a letter, as zpool requires. */
export const DATASET_PATTERN = new RegExp(`^[A-Za-z][A-Za-z0-9_.:-]*(/${COMPONENT})*$`);
export const SNAPSHOT_PATTERN = new RegExp(`^[A-Za-z][A-Za-z0-9_.:-]*(/${COMPONENT})*@${COMPONENT}$`);

export const ZfsDatasetName = z
  .string()
  .min(1)
  .max(200, 'at most 200 characters')
  .regex(
    DATASET_PATTERN,
    'a ZFS dataset such as tank/vmstore: letters, digits and _ . : - , / between parts',
  );
export type ZfsDatasetName = z.infer<typeof ZfsDatasetName>;

export const ZfsSnapshotName = z
  .string()
  .min(3)
  .max(256)
  .regex(SNAPSHOT_PATTERN, 'a ZFS snapshot such as tank/vmstore@name');

/** The part after `@`. */
export const ZfsSnapshotTag = z
  .string()
  .min(1)
  .max(200)
  .regex(new RegExp(`^${COMPONENT}$`), 'a snapshot name');

/** Lower-case, digits and single dashes: it is embedded in snapshot names and schedule names. */
export const ProtectionGroupName = z
  .string()
  .min(1)
  .max(48, 'at most 48 characters')
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case letters, digits and single dashes, e.g. prod-vms');
export type ProtectionGroupName = z.infer<typeof ProtectionGroupName>;
