import { BoundedId } from '@rackops/core/util/ids';
import { Transport } from '@rackops/core/replication/protection-group.schema';
import { ProtectionGroupName } from '@rackops/core/replication/zfs-names';
import { z } from 'zod';
import { def, name, none } from './def';

/** `APPLIANCE:DATASET` (the appliance id has no `:`); each part is checked again by core's schemas. */
const applianceDataset = z
  .string()
  .max(330)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]*:[A-Za-z][A-Za-z0-9_.:/-]*$/,
    'APPLIANCE:DATASET, e.g. nas-a:tank/vmstore',
  );

/** `consistency vm` quiesces the VMs around the ZFS snapshot; `crash` (the default) does not. */
const Consistency = z.enum(['vm', 'crash']);

/** Where a failover brings the group up at DR (checked again by core's DrPlacement). */
const DR_ARGS = {
  'dr-cluster': z.string().min(1).max(120).optional(),
  'dr-pool': z.string().min(1).max(80).optional(),
  'dr-nfs': z.string().min(1).max(253).optional(),
  'dr-net': z.string().min(1).max(80).optional(),
};
const DR_USAGE = '[dr-cluster NAME] [dr-pool POOL] [dr-nfs ADDRESS] [dr-net PORTGROUP]';
const DR_DETAILS =
  'Failover placement, so `failover GROUP` needs nothing typed: `dr-cluster` the DR cluster whose hosts mount the ' +
  "replica, `dr-pool` its resource pool moref, `dr-nfs` the target appliance's NFS address as the DR hosts reach " +
  'it, `dr-net` the port group the NICs are moved to on a real failover.';

/** `protect` and `pg create` take the same arguments. */
const PROTECT_ARGS = z.object({
  group: ProtectionGroupName,
  source: applianceDataset,
  target: applianceDataset,
  rpo: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
  keep: z.coerce.number().int().min(1).max(200).optional(),
  vcenter: BoundedId.optional(),
  datastore: name.optional(),
  'dr-vcenter': BoundedId.optional(),
  'dr-datastore': name.optional(),
  transport: Transport.optional(),
  consistency: Consistency.optional(),
  ...DR_ARGS,
});
const PROTECT_DETAILS =
  "SOURCE and TARGET are APPLIANCE:DATASET, the appliance by its id in the relay agent's `zfs.sites`. " +
  'RPO in minutes (default 15): the group replicates every RPO/2. `keep N` frequent snapshots (default 4; ' +
  "also 24 hourly, 7 daily, 4 weekly). The vCenter and datastore default to none named and the dataset's last part. " +
  'A group is production when a production cluster mounts its datastore, or when the inventory does not know ' +
  'the datastore: it then waits, unscheduled, until a second person runs `pg approve GROUP`. ' +
  'MODE: `transport agent` (the default) pipes the data through the relay agent; `transport direct` has the source ' +
  'appliance send to the target over SSH itself. LEVEL: `consistency vm` quiesces each VM (VMware snapshot, removed ' +
  'right after) around the ZFS snapshot; `consistency crash` (the default) takes the ZFS snapshot alone. ' +
  `\`pg edit\` changes both later. ${DR_DETAILS}`;
/** An RPO as typed: minutes (`30`), or `30m`, `2h`, `1d`; at most a week. */
const rpoDuration = z
  .string()
  .regex(/^\d{1,5}(m|min|h|d)?$/i, 'minutes, or a duration such as 30m, 2h, 1d')
  .transform((t) => {
    const n = Number.parseInt(t, 10);
    const unit = t.replace(/^\d+/, '').toLowerCase();
    return unit === 'h' ? n * 60 : unit === 'd' ? n * 1440 : n;
  })
  .pipe(
    z
      .number()
      .int()
      .min(1, 'at least 1 minute')
      .max(7 * 24 * 60, 'at most 7 days'),
  );

/** Protection groups: list, show, create, change, approve (four-eyes on production), replicate. */
export const PROTECTION_COMMANDS = {
  protectionGroups: def({
    usage: 'protection groups',
    summary: 'ZFS protection groups: last replica against the RPO, bytes, how often each runs',
    examples: ['protection groups'],
    role: 'viewer',
    args: none,
  }),
  groups: def({
    usage: 'groups',
    summary: 'same as `protection groups`',
    examples: ['groups'],
    role: 'viewer',
    args: none,
  }),
  pgPause: def({
    usage: 'pg pause GROUP',
    summary: 'stop the scheduled replication of a protection group (its replicas stay)',
    examples: ['pg pause prod-vms'],
    role: 'operator',
    args: z.object({ group: ProtectionGroupName }),
  }),
  pgResume: def({
    usage: 'pg resume GROUP',
    summary: 'schedule a paused protection group again',
    examples: ['pg resume prod-vms'],
    role: 'operator',
    args: z.object({ group: ProtectionGroupName }),
  }),
  pg: def({
    usage: 'pg GROUP',
    summary: 'one protection group: source, target, RPO, retention, its last replicas',
    examples: ['pg prod-vms'],
    role: 'viewer',
    args: z.object({ group: ProtectionGroupName }),
  }),
  protect: def({
    usage: `protect GROUP SOURCE TARGET [rpo MINUTES] [keep N] [vcenter ID] [datastore NAME] [dr-vcenter ID] [dr-datastore NAME] [transport MODE] [consistency LEVEL] ${DR_USAGE}`,
    summary:
      'create a protection group: replicate a ZFS dataset to another appliance on a schedule (production: a second person approves)',
    examples: [
      'protect prod-vms nas-a:tank/vmstore nas-b:tank/vmstore-dr rpo 15',
      'protect sql nas-a:tank/sql nas-b:backup/sql rpo 60 keep 8 vcenter vc-prod datastore nfs-sql',
      'protect vms nas-a:tank/vms nas-b:dr/vms vcenter vc-lab transport direct consistency vm',
    ],
    details: PROTECT_DETAILS,
    role: 'operator',
    args: PROTECT_ARGS,
  }),
  pgCreate: def({
    usage: `pg create GROUP SOURCE TARGET [rpo MINUTES] [keep N] [vcenter ID] [datastore NAME] [dr-vcenter ID] [dr-datastore NAME] [transport MODE] [consistency LEVEL] ${DR_USAGE}`,
    summary: 'same as `protect`',
    examples: ['pg create prod-vms nas-a:tank/vmstore nas-b:tank/vmstore-dr rpo 15 vcenter vc-lab'],
    details: PROTECT_DETAILS,
    role: 'operator',
    args: PROTECT_ARGS,
  }),
  pgApprove: def({
    usage: 'pg approve GROUP',
    summary: 'approve a production protection group, or its pending change (not the one who asked)',
    examples: ['pg approve prod-vms'],
    role: 'approver',
    args: z.object({ group: ProtectionGroupName }),
  }),
  pgReject: def({
    usage: 'pg reject GROUP [REASON]',
    summary: 'reject a production protection group (it never replicates), or its pending change',
    examples: ['pg reject prod-vms', 'pg reject prod-vms "wrong target pool"'],
    details:
      'A REASON of several words goes in double quotes; it is kept in the audit log and shown on `pg GROUP`.',
    role: 'approver',
    args: z.object({ group: ProtectionGroupName, reason: z.string().min(1).max(300).optional() }),
  }),
  pgAddVm: def({
    usage: 'pg add-vm GROUP VM',
    summary: 'protect one more VM in a group (production: a second person approves)',
    examples: ['pg add-vm prod-vms web-01'],
    details:
      'VM by name, id or moref, on the group\'s source vCenter. A group protecting "every VM on the datastore" is ' +
      'narrowed to the VMs named. An unknown VM is refused with the closest names.',
    role: 'operator',
    args: z.object({ group: ProtectionGroupName, vm: name }),
  }),
  pgRemoveVm: def({
    usage: 'pg remove-vm GROUP VM',
    summary: 'stop protecting a VM of a group (production: a second person approves)',
    examples: ['pg remove-vm prod-vms web-01'],
    role: 'operator',
    args: z.object({ group: ProtectionGroupName, vm: name }),
  }),
  pgEdit: def({
    usage: `pg edit GROUP [rpo DURATION] [keep N] [hourly N] [daily N] [weekly N] [transport MODE] [consistency LEVEL] ${DR_USAGE}`,
    summary:
      'change the RPO, retention, transport or consistency of a protection group (production: a second person approves)',
    examples: [
      'pg edit prod-vms rpo 30m',
      'pg edit prod-vms keep 8 daily 14',
      'pg edit prod-vms transport direct',
      'pg edit prod-vms dr-cluster dr-a dr-pool resgroup-8 dr-nfs 10.0.9.5',
    ],
    details:
      'DURATION: minutes (`30`) or `30m`, `2h`, `1d` (at most 7 days); the group then runs every RPO/2. `keep` is the ' +
      'number of frequent snapshots kept; `hourly`, `daily`, `weekly` the older ones. MODE: `transport agent` pipes the ' +
      'data through the relay agent (the default: no trust between appliances); `transport direct` has the source ' +
      "appliance send to the target over SSH itself, over the hop the relay agent's config describes for the pair. " +
      'LEVEL: `consistency vm` quiesces each VM (VMware snapshot, removed right after) around the ZFS snapshot; ' +
      `\`consistency crash\` (the default) takes the ZFS snapshot alone. ${DR_DETAILS}`,
    role: 'operator',
    args: z
      .object({
        group: ProtectionGroupName,
        rpo: rpoDuration.optional(),
        keep: z.coerce.number().int().min(1).max(200).optional(),
        hourly: z.coerce.number().int().min(0).max(168).optional(),
        daily: z.coerce.number().int().min(0).max(90).optional(),
        weekly: z.coerce.number().int().min(0).max(52).optional(),
        transport: Transport.optional(),
        consistency: Consistency.optional(),
        ...DR_ARGS,
      })
      .refine(
        (a) =>
          [
            a.rpo,
            a.keep,
            a.hourly,
            a.daily,
            a.weekly,
            a.transport,
            a.consistency,
            a['dr-cluster'],
            a['dr-pool'],
            a['dr-nfs'],
            a['dr-net'],
          ].some((x) => x !== undefined),
        {
          message:
            'say what to change: `rpo DURATION`, `keep N`, `hourly N`, `daily N`, `weekly N`, `transport agent|direct`, `consistency vm|crash` or a `dr-…` placement',
          path: ['rpo'],
        },
      ),
  }),
  pgDelete: def({
    usage: 'pg delete GROUP [confirm]',
    summary: 'delete a protection group (asks for `confirm`; production: a second person approves)',
    examples: ['pg delete prod-vms confirm'],
    details:
      'Its schedule and records go; the snapshots already on both appliances stay. Refused while a run of the ' +
      'group is in progress.',
    role: 'operator',
    args: z.object({ group: ProtectionGroupName, confirm: z.boolean().optional() }),
  }),
  replicate: def({
    usage: 'replicate GROUP [now]',
    summary: 'replicate a protection group now (snapshot, send the increment, prune)',
    examples: ['replicate prod-vms now'],
    role: 'operator',
    args: z.object({ group: ProtectionGroupName, now: z.boolean().optional() }),
  }),
};
