import { type AslMachine, type AslState, catchAll, deviceTask, jobOpsTask } from './asl';
import { VM_VCENTER, vmMap, vmProcessor, vmStep } from './dr-vm-states';
import { HEARTBEAT, TIMEOUT } from './timing';

const SOURCE_ZFS = { type: 'zfs', 'id.$': '$.fo.sourceAppliance' };
const TARGET_ZFS = { type: 'zfs', 'id.$': '$.fo.targetAppliance' };
const DR_VCENTER = { type: 'vcenter', 'id.$': '$.fo.vcenterId' };

/** One VM's command; its outcome (or its error, kept) is the item's result: one VM never stops the others. */
const perVm = (o: {
  kind: 'vm.guest-shutdown' | 'vm.unregister';
  params: string;
  what: string;
  name: string;
  states: [string, string, string];
}) => ({
  StartAt: o.states[0],
  States: {
    [o.states[0]]: deviceTask({
      kind: o.kind,
      target: VM_VCENTER,
      paramsPath: o.params,
      step: vmStep(o.what, o.name),
      timeoutSeconds: TIMEOUT.vmPower,
      resultPath: '$.done',
      next: o.states[1],
      catchTo: o.states[2],
      catchResultPath: '$.error',
    }),
    [o.states[1]]: { Type: 'Pass', Parameters: { 'name.$': '$.vm.name', 'done.$': '$.done' }, End: true },
    [o.states[2]]: { Type: 'Pass', Parameters: { 'name.$': '$.vm.name', 'error.$': '$.error' }, End: true },
  },
});

const choice = (variable: string, equals: string, next: string, otherwise: string): AslState => ({
  Type: 'Choice',
  Choices: [{ Variable: variable, StringEquals: equals, Next: next }],
  Default: otherwise,
});

/** A pause on a task token for a person's decision; a cancel or the pause's timeout goes on to `onEnd`. */
const decisionPause = (which: 'decide' | 'confirm-rollback', reason: string, next: string, onEnd: string) =>
  jobOpsTask({
    op: 'fo-pause',
    args: { which, reason, kind: 'operator' },
    waitForToken: { timeoutSeconds: TIMEOUT.pause },
    resultPath: which === 'decide' ? '$.decision' : '$.confirm',
    next,
    catchTo: onEnd,
    catchResultPath: '$.pauseEnd',
  });

/**
 * `failover` (planned and unplanned in one definition). Planned: the source VMs shut down (powered off after
 * their timeout), a final snapshot and incremental sync; unplanned skips both (the source may be gone). Then
 * the replica is promoted (rolled back to the chosen snapshot, writable), mounted at DR, each VM registered
 * (never twice), mapped to its network, powered on and waited on for Tools; the report; the pause: *Commit*
 * swaps the group's direction (reverse replication when the original appliance answers), *Roll back* powers
 * off and unregisters the DR copies, unmounts, and pauses again: only the second confirmation discards what
 * changed at DR and resumes replication in the original direction. A failure before the promotion ends the
 * job with nothing done at DR; one after it still comes to the decision (a person says what happens to a
 * half-failed-over group). A cancel or timeout at a pause leaves things as they are (stay failed over / rolled
 * back with DR changes kept) and the report says what runs where. Nothing here ever destroys source data.
 */
export function buildFailoverWorkflow(): AslMachine {
  return {
    Comment: 'RackOps failover of one protection group (planned or unplanned), commit or roll back',
    StartAt: 'Begin',
    States: {
      Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'Mode', catchTo: 'Finish' }),
      Mode: choice('$.fo.mode', 'planned', 'Shutdown', 'Plan'),
      Shutdown: vmMap({
        items: '$.fo.shutdown',
        processor: perVm({
          kind: 'vm.guest-shutdown',
          params: '$.vm.params',
          what: 'shutdown',
          name: 'Guest shutdown at the source',
          states: ['ShutdownVm', 'ShutdownVmDone', 'ShutdownVmFailed'],
        }),
        resultPath: '$.shutdown',
        next: 'ShutdownCheck',
        catchTo: 'Finish',
      }),
      ShutdownCheck: jobOpsTask({
        op: 'fo-shutdown',
        resultPath: null,
        next: 'FinalSnapshot',
        catchTo: 'Finish',
      }),
      FinalSnapshot: deviceTask({
        kind: 'zfs.snapshot',
        target: SOURCE_ZFS,
        paramsPath: '$.fo.snapshot',
        step: { key: 'final-snapshot', name: 'Final snapshot at the source' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.snapshot',
        next: 'FinalSync',
        catchTo: 'Finish',
      }),
      FinalSync: deviceTask({
        kind: 'zfs.replicate',
        target: SOURCE_ZFS,
        paramsPath: 'States.JsonMerge($.fo.pair, $.snapshot, false)',
        step: { key: 'final-sync', name: 'Final incremental sync' },
        timeoutSeconds: TIMEOUT.replicate,
        heartbeatSeconds: HEARTBEAT,
        resultPath: '$.replica',
        next: 'FinalRecord',
        catchTo: 'Finish',
      }),
      FinalRecord: jobOpsTask({ op: 'replica-record', resultPath: null, next: 'Plan', catchTo: 'Finish' }),
      Plan: jobOpsTask({ op: 'fo-plan', resultPath: '$', next: 'Promote', catchTo: 'Finish' }),
      Promote: deviceTask({
        kind: 'zfs.promote',
        target: TARGET_ZFS,
        paramsPath: '$.promote',
        step: { key: 'promote', name: 'Promote the replica' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.promoted',
        next: 'MountPlan',
        catchTo: 'Finish',
      }),
      MountPlan: jobOpsTask({ op: 'fo-mount-plan', resultPath: '$', next: 'Mount', catchTo: 'Report' }),
      Mount: deviceTask({
        kind: 'datastore.mount-nfs',
        target: DR_VCENTER,
        paramsPath: '$.mount',
        step: { key: 'mount', name: 'Mount the promoted replica at DR' },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.mounted',
        next: 'Vms',
        catchTo: 'Report',
      }),
      Vms: vmMap({
        items: '$.vms',
        processor: vmProcessor('Network map'),
        resultPath: '$.results',
        next: 'Report',
        catchTo: 'Report',
      }),
      Report: jobOpsTask({ op: 'fo-report', resultPath: null, next: 'Decide', catchTo: 'Finish' }),
      Decide: decisionPause('decide', 'failed over: Commit or Roll back', 'Decision', 'Finish'),
      // Only the two named decisions act; anything else (a forced resume carries none) stays failed over.
      Decision: {
        Type: 'Choice',
        Choices: [
          // A comparison on a missing path is a runtime error in ASL: test presence first.
          { Not: { Variable: '$.decision.decision', IsPresent: true }, Next: 'Finish' },
          { Variable: '$.decision.decision', StringEquals: 'commit', Next: 'CommitMode' },
          { Variable: '$.decision.decision', StringEquals: 'rollback', Next: 'RollbackPlan' },
        ],
        Default: 'Finish',
      },
      CommitMode: choice('$.fo.mode', 'planned', 'OriginalReachable', 'PreserveOriginal'),
      OriginalReachable: {
        ...deviceTask({
          kind: 'zfs.features',
          target: SOURCE_ZFS,
          params: {},
          step: { key: 'original', name: 'The original appliance answers' },
          timeoutSeconds: TIMEOUT.quick,
          resultPath: '$.original',
          next: 'Commit',
        }),
        Catch: catchAll('Commit', '$.originalError'),
      },
      PreserveOriginal: {
        ...deviceTask({
          kind: 'zfs.snapshot',
          target: SOURCE_ZFS,
          paramsPath: '$.fo.snapshot',
          step: { key: 'preserve', name: 'Keep the original’s unreplicated writes in a snapshot' },
          timeoutSeconds: TIMEOUT.zfs,
          resultPath: '$.preserved',
          next: 'Commit',
        }),
        Catch: catchAll('Commit', '$.originalError'),
      },
      Commit: jobOpsTask({ op: 'fo-commit', resultPath: '$.commit', next: 'Finish', catchTo: 'Finish' }),
      RollbackPlan: jobOpsTask({
        op: 'fo-rollback-plan',
        resultPath: '$.rollback',
        next: 'Unregister',
        catchTo: 'Finish',
      }),
      Unregister: vmMap({
        items: '$.rollback.v.vms',
        processor: perVm({
          kind: 'vm.unregister',
          params: '$.vm.unregister',
          what: 'unregister',
          name: 'Power off and unregister at DR',
          states: ['UnregisterVm', 'UnregisterVmDone', 'UnregisterVmFailed'],
        }),
        resultPath: '$.unregistered',
        next: 'Unmount',
        catchTo: 'Finish',
      }),
      Unmount: deviceTask({
        kind: 'datastore.unmount-nfs',
        target: DR_VCENTER,
        paramsPath: '$.rollback.v.unmount',
        step: { key: 'unmount', name: 'Unmount at DR' },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.unmounted',
        next: 'Confirm',
        catchTo: 'Finish',
        catchResultPath: '$.unmountError',
      }),
      Confirm: decisionPause(
        'confirm-rollback',
        'rolled back at DR: confirm to discard what changed there and resume replication',
        'Confirmed',
        'Finish',
      ),
      Confirmed: {
        Type: 'Choice',
        Choices: [
          { Not: { Variable: '$.confirm.decision', IsPresent: true }, Next: 'Finish' },
          { Variable: '$.confirm.decision', StringEquals: 'rollback-confirmed', Next: 'Demote' },
        ],
        Default: 'Finish',
      },
      Demote: deviceTask({
        kind: 'zfs.demote',
        target: TARGET_ZFS,
        paramsPath: '$.rollback.v.demote',
        step: { key: 'demote', name: 'Discard the DR changes, replica again' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.demoted',
        next: 'Finish',
        catchTo: 'Finish',
        catchResultPath: '$.demoteError',
      }),
      Finish: jobOpsTask({ op: 'finish', resultPath: null }),
    },
  };
}
