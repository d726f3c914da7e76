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
  }),
};
