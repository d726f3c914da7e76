import { type AslMachine, deviceTask, jobOpsTask } from './asl';
import { HEARTBEAT, TIMEOUT } from './timing';

/** Every zfs.* command goes to the source appliance: its FIFO group keeps one group's steps serial. */
const SOURCE = { type: 'zfs', 'id.$': '$.pg.sourceAppliance' };

/**
 * `replication_sync`: one protection group brought up to date. JobOps `begin` reads the group from the Store
 * (refuses a paused or unknown one) and returns the commands' params; then snapshot → send/receive → record
 * the replica → prune, each a relay command with a task token; `finish` decides the outcome. The replica is
 * recorded before pruning, so a prune that fails never hides a replica that exists. Any failure goes to
 * Finish, which names the step that failed.
 */
export function buildReplicationSyncWorkflow(): AslMachine {
  return {
    Comment: 'RackOps ZFS replication of one protection group',
    StartAt: 'Begin',
    States: {
      Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'Snapshot', catchTo: 'Finish' }),
      Snapshot: deviceTask({
        kind: 'zfs.snapshot',
        target: SOURCE,
        paramsPath: '$.pg.snapshot',
        step: { key: 'snapshot', name: 'Snapshot the source dataset' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.snapshot',
        next: 'Replicate',
        catchTo: 'Finish',
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
