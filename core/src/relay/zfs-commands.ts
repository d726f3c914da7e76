import { z } from 'zod';
import { RetentionPolicy, Transport } from '../replication/protection-group.schema';
import { ProtectionGroupName, ZfsDatasetName, ZfsSnapshotTag } from '../replication/zfs-names';
import { BoundedId } from '../util/ids';

/**
 * ZFS commands run by the relay agent over SSH. The command's target is the source appliance (`zfs`
 * target type); a second appliance is named by its agent id, never by address. Names are validated here
 * and again by the agent's argv builder: nothing from the cloud reaches a shell as text.
 */
/** How a send's size is had before it runs (SendEstimate). */
export const EstimateMethod = z.enum(['send -nvP', 'send -nv', 'referenced']);
export type EstimateMethod = z.infer<typeof EstimateMethod>;

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
  /** How the preflight estimates a send here: the dry run where `send -n` exists, else snapshot sizes. */
  estimateMethod: EstimateMethod.default('referenced'),
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
  /**
   * Before a run: both appliances answer over SSH, the source dataset exists, the target dataset (or, before a
   * first full send, its parent) exists and has `available` bytes. With `snapshot` (the run's, once taken) it
   * also estimates the send (full or from the newest common snapshot) and refuses when the target lacks room.
   */
  'zfs.preflight': Pair.extend({ snapshot: ZfsSnapshotTag.optional(), transport: Transport.optional() }),
};

/**
 * A send's size before it runs. `send -nvP` / `send -nv`: the sender's own dry run (OpenZFS). `referenced`:
 * a CLI without `send -n` (zfs-fuse) — a full stream is about the snapshot's `referenced`; an increment is at
 * least the growth of `referenced` and at most the newer snapshot's `referenced` (`atMost` set: a range, not
 * an estimate).
 */
export const SendEstimate = z.object({
  bytes: z.number().int().nonnegative(),
  method: EstimateMethod,
  atMost: z.number().int().nonnegative().optional(),
});
export type SendEstimate = z.infer<typeof SendEstimate>;

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
    /**
     * Part of `bytes` that finished a receive an earlier run left cut (resume token, modern appliances): only
     * the rest of that stream crossed the link.
     */
    resumedBytes: z.number().int().nonnegative().optional(),
    /** A resume token was refused and the partial receive dropped (`receive -A`); the increment was resent. */
    resumeAborted: z.string().max(300).optional(),
  }),
  'zfs.preflight': z.object({
    source: z.object({ appliance: BoundedId, dataset: ZfsDatasetName, snapshots: z.number().int() }),
    target: z.object({
      appliance: BoundedId,
      dataset: ZfsDatasetName,
      exists: z.boolean(),
      /** The dataset whose `available` counts: the target's own, or its parent before a first full send. */
      availableOn: ZfsDatasetName,
      available: z.number().int().nonnegative(),
      /** The target holds a receive an earlier run left cut (resume token): the next run finishes it first. */
      resumePending: z.boolean().optional(),
    }),
    plan: z.enum(['full', 'incremental', 'up-to-date']).optional(),
    from: ZfsSnapshotTag.optional(),
    estimate: SendEstimate.optional(),
    /** The estimate is a range and the room lies inside it: the run goes on, and says so. */
    warning: z.string().max(500).optional(),
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
  /**
   * A planned failover's source, read-only from before the final snapshot: a write there after it (a source VM
   * powered on again) would be rolled back by the first reverse sync (`receive -F`) after a Commit. Writable
   * again when the failover stops before the promotion or is rolled back. Only a live copy is touched: a
   * dataset marked as a replica (and not promoted) is refused.
   */
  'zfs.source-readonly': z.object({
    group: ProtectionGroupName,
    dataset: ZfsDatasetName,
    readonly: z.boolean(),
    /**
     * A Commit: the source is the group's replica from now on. A failback's source (the DR copy a failover
     * promoted) loses its `rackops:promoted` mark, so the reverse replication may receive into it.
     */
    handover: z.boolean().optional(),
  }),
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
  'zfs.source-readonly': z.object({
    dataset: ZfsDatasetName,
    readonly: z.boolean(),
    /** The `rackops:promoted` mark was cleared (a handover of a failback's source). */
    unmarked: z.boolean().optional(),
  }),
};
