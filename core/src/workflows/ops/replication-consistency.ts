import { VmSnapshotCommandOutputs } from '../../relay/vm-snapshot-commands';
import type { ProtectionGroup } from '../../replication/protection-group.schema';
import type { Fact } from '../command-result';

/**
 * The params of the quiesce and release commands of a VM-consistent group: its source vCenter, its VMs (or
 * its datastore) and one VMware snapshot name per run, so a retry or the cleanup finds exactly this run's.
 */
export function vmwareParams(g: ProtectionGroup, jobId: string) {
  const name = `rackops-${g.name}-${jobId}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 80);
  return {
    vcenterId: g.source.vcenterId,
    name,
    ...(g.members.kind === 'vms' ? { vms: g.members.vms } : { datastore: g.source.datastore }),
  };
}

/**
 * What the run's replica is consistent to. Policy: a VM whose quiesce failed does not fail the run; its data
 * is in the ZFS snapshot crash-consistent (as in a group without the option) and the report names it. Failing
 * the run instead would leave every VM of the group without a new replica because one guest's VMware Tools is
 * broken, pushing the whole group past its RPO.
 */
export function consistencyOf(r: Record<string, unknown>): {
  vmConsistent: boolean;
  quiesceFailed: string[];
  facts: Fact[];
  note?: string;
} {
  const pg = r.pg as { vmConsistent?: boolean } | undefined;
  if (!pg?.vmConsistent) return { vmConsistent: false, quiesceFailed: [], facts: [] };
  const q = VmSnapshotCommandOutputs['vm.quiesce-snapshot'].safeParse(r.quiesce);
  if (!q.success) return { vmConsistent: false, quiesceFailed: [], facts: [] };
  const failed = q.data.failed;
  const names = failed.map((f) => f.vmName ?? f.vm);
  const facts: Fact[] = [
    {
      title: 'Consistency',
      value:
        failed.length === 0
          ? `VM-consistent: ${q.data.taken.length} VM(s) quiesced, their VMware snapshots removed`
          : `crash-consistent for ${names.join(', ')} (quiesce failed); VM-consistent for ${q.data.taken.length} other VM(s)`,
    },
    ...failed.slice(0, 10).map((f) => ({ title: `Quiesce failed: ${f.vmName ?? f.vm}`, value: f.reason })),
    ...q.data.skipped.slice(0, 10).map((f) => ({
      title: `Skipped: ${f.vmName ?? f.vm}`,
      value: `${f.reason}; crash-consistent in the replica`,
    })),
  ];
  return {
    vmConsistent: failed.length === 0,
    quiesceFailed: failed.map((f) => f.vm),
    facts,
    ...(failed.length ? { note: `crash-consistent for ${names.join(', ')} (quiesce failed)` } : {}),
  };
}
