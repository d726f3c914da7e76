import { z } from 'zod';
import { RetentionPolicy } from '../replication/protection-group.schema';
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
  'zfs.replicate': Pair.extend({ snapshot: ZfsSnapshotTag }),
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
  }),
  'zfs.prune': z.object({
    common: ZfsSnapshotTag.optional(),
    destroyedSource: z.array(ZfsSnapshotTag),
    destroyedTarget: z.array(ZfsSnapshotTag),
    held: z.boolean(),
  }),
};
