import { type AslMachine, deviceTask, jobOpsTask } from './asl';
import { HEARTBEAT, TIMEOUT } from './timing';

/** Every zfs.* command goes to the source appliance: its FIFO group keeps one group's steps serial. */
const SOURCE = { type: 'zfs', 'id.$': '$.pg.sourceAppliance' };

/** The VMware snapshot commands go to the group's source vCenter. */
const VCENTER = { type: 'vcenter', 'id.$': '$.pg.vmware.vcenterId' };

/** zfs.snapshot of the source dataset; in a VM-consistent run it goes on to removing the VMware snapshots. */
const zfsSnapshot = (next: string, catchTo: string) =>
  deviceTask({
    kind: 'zfs.snapshot',
    target: SOURCE,
    paramsPath: '$.pg.snapshot',
    step: { key: 'snapshot', name: 'Snapshot the source dataset' },
    timeoutSeconds: TIMEOUT.zfs,
    resultPath: '$.snapshot',
    next,
    catchTo,
  });

/**
 * zfs.preflight: without the run's snapshot (before anything is touched) both appliances and both datasets;
 * with it (right before the send) also the send's estimate against the target's free space.
 */
const preflight = (o: { key: string; name: string; paramsPath: string; resultPath: string; next: string }) =>
  deviceTask({
    kind: 'zfs.preflight',
    target: SOURCE,
    paramsPath: o.paramsPath,
    step: { key: o.key, name: o.name },
    timeoutSeconds: TIMEOUT.zfs,
    resultPath: o.resultPath,
    next: o.next,
    catchTo: 'Finish',
  });

/** vm.remove-snapshots of this run's VMware snapshots (by name: whatever the quiesce step managed to take). */
const releaseVms = (o: { next: string; resultPath: string; catchResultPath?: string }) =>
  deviceTask({
    kind: 'vm.remove-snapshots',
    target: VCENTER,
    paramsPath: '$.pg.vmware',
    step: { key: 'release', name: 'Remove the VMware snapshots' },
    timeoutSeconds: TIMEOUT.zfs,
    resultPath: o.resultPath,
    next: o.next,
    catchTo: 'Finish',
    ...(o.catchResultPath ? { catchResultPath: o.catchResultPath } : {}),
  });

/**
 * `replication_sync`: one protection group brought up to date. JobOps `begin` reads the group from the Store
 * (refuses a paused or unknown one) and returns the commands' params; then preflight (both appliances answer,
 * both datasets are there) → snapshot → space check (the send's estimate against the target's `available`) →
 * send/receive → record the replica → prune, each a relay command with a task token; `finish` decides the
 * outcome. The space check needs the snapshot (a dry run estimates a snapshot's send): a run it stops keeps that
 * snapshot on the source, as a failed send does, and retention prunes it later. The replica is
 * recorded before pruning, so a prune that fails never hides a replica that exists. Any failure goes to
 * Finish, which names the step that failed.
 *
 * A VM-consistent group (`vmConsistent`) takes a quiesced VMware snapshot of each member VM first, then the
 * ZFS snapshot, then removes the VMware snapshots — on the failure path too: a quiesce or ZFS snapshot that
 * fails goes through ReleaseAfterFailure (its own failure kept apart in `$.releaseError`, the first one in
 * `$.error`) before Finish, so no VMware snapshot is left to grow. One definition for both engines.
 */
export function buildReplicationSyncWorkflow(): AslMachine {
  return {
    Comment: 'RackOps ZFS replication of one protection group',
    StartAt: 'Begin',
    States: {
      Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'Preflight', catchTo: 'Finish' }),
      Preflight: preflight({
        key: 'preflight',
        name: 'Preflight: both appliances and datasets',
        paramsPath: '$.pg.pair',
        resultPath: '$.preflight',
        next: 'Consistency',
      }),
      Consistency: {
        Type: 'Choice',
        Choices: [{ Variable: '$.pg.vmConsistent', BooleanEquals: true, Next: 'Quiesce' }],
        Default: 'Snapshot',
      },
      Quiesce: deviceTask({
        kind: 'vm.quiesce-snapshot',
        target: VCENTER,
        paramsPath: '$.pg.vmware',
        step: { key: 'quiesce', name: 'Quiesced VMware snapshots of the VMs' },
        timeoutSeconds: TIMEOUT.replicate,
        heartbeatSeconds: HEARTBEAT,
        resultPath: '$.quiesce',
        next: 'QuiescedSnapshot',
        catchTo: 'ReleaseAfterFailure',
      }),
      QuiescedSnapshot: zfsSnapshot('Release', 'ReleaseAfterFailure'),
      Release: releaseVms({ next: 'SpaceCheck', resultPath: '$.released' }),
      ReleaseAfterFailure: releaseVms({
        next: 'Finish',
        resultPath: '$.released',
        catchResultPath: '$.releaseError',
      }),
      Snapshot: zfsSnapshot('SpaceCheck', 'Finish'),
      SpaceCheck: preflight({
        key: 'space',
        name: 'Preflight: estimated send against free space',
        paramsPath: 'States.JsonMerge($.pg.pair, $.snapshot, false)',
        resultPath: '$.estimate',
        next: 'Replicate',
      }),
      Replicate: deviceTask({
        kind: 'zfs.replicate',
        target: SOURCE,
        paramsPath: 'States.JsonMerge($.pg.pair, $.snapshot, false)',
        step: { key: 'replicate', name: 'Send and receive' },
        timeoutSeconds: TIMEOUT.replicate,
        heartbeatSeconds: HEARTBEAT,
        resultPath: '$.replica',
        next: 'Record',
        catchTo: 'Finish',
      }),
      Record: jobOpsTask({ op: 'replica-record', resultPath: null, next: 'Prune', catchTo: 'Finish' }),
      Prune: deviceTask({
        kind: 'zfs.prune',
        target: SOURCE,
        paramsPath: '$.pg.prune',
        step: { key: 'prune', name: 'Prune by retention' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.prune',
        next: 'Finish',
        catchTo: 'Finish',
      }),
      Finish: jobOpsTask({ op: 'finish', resultPath: null }),
    },
  };
}
