import { z } from 'zod';
import { RetentionPolicy, Transport } from '../replication/protection-group.schema';
import { ProtectionGroupName, ZfsDatasetName, ZfsSnapshotTag } from '../replication/zfs-names';
import { BoundedId } from '../util/ids';

/**
 * ZFS commands run by the relay agent over SSH. The command's target is the source appliance (`zfs`
 * target type); a second appliance is named by its agent id, never by address. Names are validated here
 * and again by the agent's argv builder: nothing from the cloud reaches a shell as text.
 */
export const ZfsFeatures = z.object({
  /** `zfs version` where the CLI has it (OpenZFS ≥ 0.8), else `legacy`. */
  version: z.string().max(200),
  holds: z.boolean(),
  bookmarks: z.boolean(),
  resumableReceive: z.boolean(),
  rawSend: z.boolean(),
  sizeEstimate: z.boolean(),
  /** `zfs send -v -P` prints parsable progress (bytes so far, each second) on stderr. */
  sendProgress: z.boolean().default(false),
});
export type ZfsFeatures = z.infer<typeof ZfsFeatures>;

const Pair = z.object({
  group: ProtectionGroupName,
  sourceDataset: ZfsDatasetName,
  targetAppliance: BoundedId,
  targetDataset: ZfsDatasetName,
});

export const ZfsCommandParams = {
  'zfs.features': z.object({}),
  'zfs.snapshot': z.object({ group: ProtectionGroupName, dataset: ZfsDatasetName }),
  /**
   * `direct`: the source appliance sends to the target over SSH itself; the hop (address, key, known_hosts)
   * is the agent's config for that pair, never part of the command. Absent: `agent`.
   */
  'zfs.replicate': Pair.extend({ snapshot: ZfsSnapshotTag, transport: Transport.optional() }),
  'zfs.prune': Pair.extend({ retention: RetentionPolicy }),
};

export const ZfsCommandOutputs = {
  'zfs.features': ZfsFeatures,
  'zfs.snapshot': z.object({ snapshot: ZfsSnapshotTag, takenAt: z.string(), created: z.boolean() }),
  'zfs.replicate': z.object({
    kind: z.enum(['full', 'incremental', 'up-to-date']),
    from: ZfsSnapshotTag.optional(),
    snapshot: ZfsSnapshotTag,
    bytes: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
    transport: Transport.optional(),
    /**
     * How `bytes` was known: counted on the stream (agent transport), or read from the target after a direct
     * transfer (the growth of the dataset's `used`: close to, not exactly, the stream's size).
     */
    bytesFrom: z.enum(['stream', 'target-used']).optional(),
  }),
  'zfs.prune': z.object({
    common: ZfsSnapshotTag.optional(),
    destroyedSource: z.array(ZfsSnapshotTag),
    destroyedTarget: z.array(ZfsSnapshotTag),
    held: z.boolean(),
    /** Snapshots the retention would destroy but zfs refuses to: each the origin of a live (test) clone. */
    skipped: z
      .array(z.object({ dataset: ZfsDatasetName, tag: ZfsSnapshotTag, reason: z.string().max(200) }))
      .max(1000)
      .optional(),
  }),
};

/** An absolute mountpoint as `zfs get mountpoint` prints it; checked before it names a datastore directory. */
export const ZfsMountpoint = z
  .string()
  .max(1000)
  .regex(/^\/[A-Za-z0-9._:@+-]+(\/[A-Za-z0-9._:@+-]+)*$/, 'an absolute path')
  .refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), 'no . or .. segments');

/**
 * DR commands on the target appliance: a writable clone of a replica snapshot for a test failover (and its
 * removal, for RackOps' own clones only), and the promotion of the replica itself for a real failover.
 * Nothing here runs on a source appliance's data: they name the target's dataset.
 */
export const ZfsDrCommandParams = {
  'zfs.clone': z.object({
    group: ProtectionGroupName,
    /** The replica dataset on this (target) appliance. */
    dataset: ZfsDatasetName,
    /** The replica snapshot to clone; the group's newest when absent. */
    snapshot: ZfsSnapshotTag.optional(),
  }),
  'zfs.destroy-clone': z.object({ group: ProtectionGroupName, clone: ZfsDatasetName }),
  'zfs.promote': z.object({ group: ProtectionGroupName, dataset: ZfsDatasetName, snapshot: ZfsSnapshotTag }),
  /**
   * A failover rolled back for good (the second confirmation): the promoted replica goes back to the snapshot
   * it was promoted from (what VMs wrote at DR is discarded), read-only and unmarked, so replication into it
   * resumes. Only this group's replica; one not promoted is left as it is.
   */
  'zfs.demote': z.object({ group: ProtectionGroupName, dataset: ZfsDatasetName }),
};

export const ZfsDrCommandOutputs = {
  'zfs.clone': z.object({
    clone: ZfsDatasetName,
    origin: ZfsSnapshotTag,
    mountpoint: ZfsMountpoint,
    created: z.boolean(),
  }),
  'zfs.destroy-clone': z.object({ destroyed: z.boolean() }),
  'zfs.promote': z.object({
    snapshot: ZfsSnapshotTag,
    rolledBack: z.boolean(),
    writable: z.boolean(),
    /** Where the promoted dataset is mounted on the appliance: the NFS export the DR hosts mount. */
    mountpoint: ZfsMountpoint.optional(),
  }),
  'zfs.demote': z.object({ snapshot: ZfsSnapshotTag.optional(), demoted: z.boolean() }),
};
