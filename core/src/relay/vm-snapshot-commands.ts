import { z } from 'zod';
import { BoundedId } from '../util/ids';

/** A VMware snapshot name RackOps gives: it is looked up by name again, so it must be unique and plain. */
export const VmSnapshotName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : -');

/**
 * The VMs of a protection group on its source vCenter: explicit morefs, or every VM whose files are on the
 * datastore (read from vCenter when the command runs, not from the inventory copy).
 */
const Members = z
  .object({
    vcenterId: BoundedId,
    name: VmSnapshotName,
    vms: z.array(BoundedId).min(1).max(500).optional(),
    datastore: z.string().min(1).max(120).optional(),
  })
  .refine((p) => (p.vms ? 1 : 0) + (p.datastore ? 1 : 0) === 1, 'give exactly one of vms or datastore');

const VmFailure = z.object({
  vm: BoundedId,
  vmName: z.string().max(200).optional(),
  reason: z.string().max(500),
});

/**
 * `vm.quiesce-snapshot`: a quiesced, memory-less VMware snapshot named `name` on each VM. A VM whose quiesce
 * fails is listed in `failed` (the command still succeeds: the caller decides); a VM that already has a
 * snapshot of that name (a redelivery) counts as taken. `vm.remove-snapshots`: every snapshot named `name`
 * on those VMs removed; it fails when any is left. With `datastore`, vCenter's own appliance VM is `skipped`
 * (never quiesced: a quiesce stuns the vCenter that runs the snapshot task); its data is in the ZFS snapshot
 * crash-consistent.
 */
export const VmSnapshotCommandParams = {
  'vm.quiesce-snapshot': Members,
  'vm.remove-snapshots': Members,
};

export const VmSnapshotCommandOutputs = {
  'vm.quiesce-snapshot': z.object({
    vms: z.array(BoundedId),
    taken: z.array(z.object({ vm: BoundedId, snapshot: z.string(), created: z.boolean() })),
    failed: z.array(VmFailure),
    /** VMs on the datastore left alone on purpose (vCenter's appliance), with why. */
    skipped: z.array(VmFailure).default([]),
  }),
  'vm.remove-snapshots': z.object({
    removed: z.array(z.object({ vm: BoundedId, snapshot: z.string() })),
  }),
};
