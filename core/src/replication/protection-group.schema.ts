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

const RETENTION = {
  frequent: z.number().int().min(1).max(200),
  hourly: z.number().int().min(0).max(168),
  daily: z.number().int().min(0).max(90),
  weekly: z.number().int().min(0).max(52),
};
export const RetentionPolicy = z.object({
  frequent: RETENTION.frequent.default(4),
  hourly: RETENTION.hourly.default(24),
  daily: RETENTION.daily.default(7),
  weekly: RETENTION.weekly.default(4),
});
/**
 * `agent`: send | receive piped through the relay agent (no trust between appliances); `direct`: the source
 * appliance pipes into SSH to the target itself, over a hop the agent's config describes for that pair.
 */
export const Transport = z.enum(['agent', 'direct']);
export type Transport = z.infer<typeof Transport>;

/**
 * Where the group's VMs come up at DR, so `failover GROUP` needs nothing typed: the DR cluster (its hosts mount
 * the datastore), its resource pool moref, the target appliance's NFS address as the DR hosts reach it, and
 * the port group the NICs are moved to. Each part may be set alone; a failover names the ones missing.
 */
export const DrPlacement = z.object({
  /**
   * The vCenter this placement is at: the group's target when it was set. After a committed failover the sites
   * swap and the placement no longer applies (a failback names its own).
   */
  vcenterId: BoundedId.optional(),
  cluster: z.string().min(1).max(120).optional(),
  resourcePool: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,79}$/, 'a resource pool moref such as resgroup-8')
    .optional(),
  nfsServer: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/, 'an NFS server address such as 10.0.9.5')
    .optional(),
  portGroup: z.string().min(1).max(80).optional(),
});
export type DrPlacement = z.infer<typeof DrPlacement>;

/** The retention counts a `pg edit` changes; the others stay. */
const RetentionChange = z.object(RETENTION).partial();

/** What the last successful sync left on the target. */
export const ReplicaRecord = z.object({
  snapshot: ZfsSnapshotTag,
  /** When the snapshot was taken on the source: the replica's point in time. */
  snapshotAt: IsoTime,
  completedAt: IsoTime,
  bytes: z.number().int().nonnegative(),
  incremental: z.boolean(),
  seconds: z.number().nonnegative(),
  /** A VM-consistent group's run: whether every VM was quiesced, and the VMs that were not (crash-consistent). */
  vmConsistent: z.boolean().optional(),
  quiesceFailed: z.array(BoundedId).max(500).optional(),
});
export type ReplicaRecord = z.infer<typeof ReplicaRecord>;

/** A change to a group, applied at once on a non-production group, after a second person's approval on one. */
export const GroupChange = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('add-vm'),
    /** The VM's moref on the group's source vCenter, as members are kept. */
    vm: BoundedId,
    vmName: z.string().max(200),
    /** The VM runs on a production cluster: the group becomes production with it. */
    production: z.boolean().default(false),
  }),
  z.object({ kind: z.literal('remove-vm'), vm: BoundedId, vmName: z.string().max(200) }),
  z.object({
    kind: z.literal('edit'),
    rpoMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
    retention: RetentionChange.optional(),
    transport: Transport.optional(),
    vmConsistent: z.boolean().optional(),
    /** Merged into the group's placement part by part. */
    dr: DrPlacement.optional(),
  }),
  z.object({ kind: z.literal('delete') }),
]);
export type GroupChange = z.infer<typeof GroupChange>;

export const PendingChange = z.object({
  change: GroupChange,
  requestedBy: Actor,
  requestedAt: IsoTime,
});
export type PendingChange = z.infer<typeof PendingChange>;

/**
 * Four-eyes on a production group: `pending` until a second person approves it (nothing is scheduled or
 * replicated before), `rejected` for good. Groups stored before approvals existed read as `approved`.
 */
export const GroupApproval = z.enum(['pending', 'approved', 'rejected']);
export type GroupApproval = z.infer<typeof GroupApproval>;

/**
 * One committed failover: the sites swapped (what was `source` is `target` from then on), the job that did it,
 * the replica it promoted. Kept newest last, bounded: the group's direction history.
 */
export const DirectionChange = z.object({
  jobId: BoundedId,
  mode: z.enum(['planned', 'unplanned']),
  at: IsoTime,
  by: Actor,
  /** The site that was the source before (the group's target from then on). */
  from: z.object({ vcenterId: BoundedId, appliance: BoundedId, dataset: ZfsDatasetName }),
  to: z.object({ vcenterId: BoundedId, appliance: BoundedId, dataset: ZfsDatasetName }),
  snapshot: ZfsSnapshotTag,
  /** Whether reverse replication (to the old source) could be set up at commit. */
  reversed: z.boolean(),
});
export type DirectionChange = z.infer<typeof DirectionChange>;

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
    transport: Transport.default('agent'),
    /** Where a failover brings the VMs up (`pg edit GROUP dr-cluster … dr-pool … dr-nfs …`). */
    dr: DrPlacement.optional(),
    production: z.boolean().default(true),
    state: z.enum(['active', 'paused']).default('active'),
    approval: GroupApproval.default('approved'),
    /** Who approved or rejected the group, when and why (a rejection's reason). */
    decidedBy: Actor.optional(),
    decidedAt: IsoTime.optional(),
    decisionReason: z.string().max(300).optional(),
    /** A change to a production group waiting for a second person; one at a time. */
    pendingChange: PendingChange.optional(),
    createdBy: Actor,
    createdAt: IsoTime,
    lastReplica: ReplicaRecord.optional(),
    /** `reversed` after an odd number of committed failovers: the group replicates from its original DR site. */
    direction: z.enum(['original', 'reversed']).default('original'),
    history: z.array(DirectionChange).max(50).default([]),
    /** The chat conversation that created the group: where an RPO breach is told. */
    conversationId: z.string().max(500).optional(),
  })
  .refine(
    (g) => !(g.source.appliance === g.target.appliance && g.source.dataset === g.target.dataset),
    'the target dataset must differ from the source dataset',
  );
export type ProtectionGroup = z.infer<typeof ProtectionGroup>;
export type ProtectionGroupInput = z.input<typeof ProtectionGroup>;
