import { z } from 'zod';
import { Actor, IsoTime } from '../jobs/job.schema';
import { BoundedId } from '../util/ids';
import { ProtectionGroupName, ZfsDatasetName, ZfsSnapshotTag } from './zfs-names';

/** An NFS datastore as vCenter names it (display name, not a moref: it is what people type). */
const DatastoreName = z.string().min(1).max(120);

const Site = z.object({
  vcenterId: BoundedId,
  datastore: DatastoreName,
  /** The ZFS appliance by the relay agent's id for it (its SSH host, key and pinned host key live there). */
  appliance: BoundedId,
  dataset: ZfsDatasetName,
});

/** Explicit VMs (vCenter morefs), or every VM whose files are on the source datastore. */
export const Membership = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('datastore') }),
  z.object({ kind: z.literal('vms'), vms: z.array(BoundedId).min(1).max(500) }),
]);

export const RetentionPolicy = z.object({
  frequent: z.number().int().min(1).max(200).default(4),
  hourly: z.number().int().min(0).max(168).default(24),
  daily: z.number().int().min(0).max(90).default(7),
  weekly: z.number().int().min(0).max(52).default(4),
});

/** What the last successful sync left on the target. */
export const ReplicaRecord = z.object({
  snapshot: ZfsSnapshotTag,
  /** When the snapshot was taken on the source: the replica's point in time. */
  snapshotAt: IsoTime,
  completedAt: IsoTime,
  bytes: z.number().int().nonnegative(),
  incremental: z.boolean(),
  seconds: z.number().nonnegative(),
});
export type ReplicaRecord = z.infer<typeof ReplicaRecord>;

export const ProtectionGroup = z
  .object({
    name: ProtectionGroupName,
    source: Site,
    target: Site,
    members: Membership,
    rpoMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    retention: RetentionPolicy,
    /** Quiesced VMware snapshots around the ZFS snapshot, removed afterwards. */
    vmConsistent: z.boolean().default(false),
    /** `agent`: send | recv piped through the relay agent (no trust between appliances); `direct`: appliance to appliance. */
    transport: z.enum(['agent', 'direct']).default('agent'),
    production: z.boolean().default(true),
    state: z.enum(['active', 'paused']).default('active'),
    createdBy: Actor,
    createdAt: IsoTime,
    lastReplica: ReplicaRecord.optional(),
    /** The chat conversation that created the group: where an RPO breach is told. */
    conversationId: z.string().max(500).optional(),
  })
  .refine(
    (g) => !(g.source.appliance === g.target.appliance && g.source.dataset === g.target.dataset),
    'the target dataset must differ from the source dataset',
  );
export type ProtectionGroup = z.infer<typeof ProtectionGroup>;
export type ProtectionGroupInput = z.input<typeof ProtectionGroup>;
