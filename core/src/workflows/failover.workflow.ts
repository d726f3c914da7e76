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

/**
 * The planned failover's source, read-only or writable again (zfs.source-readonly): a write there after the
 * final snapshot would be rolled back by the first reverse sync after a Commit.
 */
const sourceAccess = (o: {
  readonly: boolean;
  handover?: boolean;
  key: string;
  name: string;
  resultPath: string;
  next: string;
  catchTo: string;
  catchResultPath: string;
}) =>
  deviceTask({
    kind: 'zfs.source-readonly',
    target: SOURCE_ZFS,
    params: {
      'group.$': '$.fo.group',
      'dataset.$': '$.fo.sourceDataset',
      readonly: o.readonly,
      ...(o.handover ? { handover: true } : {}),
    },
    step: { key: o.key, name: o.name },
    timeoutSeconds: TIMEOUT.quick,
    resultPath: o.resultPath,
    next: o.next,
    catchTo: o.catchTo,
    catchResultPath: o.catchResultPath,
  });

/** Only where the source was set read-only (a planned failover, after the shutdown) is it made writable again. */
const ifSourceReadonly = (next: string, otherwise: string): AslState => ({
  Type: 'Choice',
  Choices: [{ Variable: '$.sourceReadonly', IsPresent: true, Next: next }],
  Default: otherwise,
});

/**
 * Roll back at DR, per VM: a copy the failover registered is powered off and unregistered; an original it found
 * registered there (a failback's, `targetMorefs`) is only powered off: it was there before the failover.
 */
const rollbackVm = (): AslMachine => {
  const m = perVm({
    kind: 'vm.unregister',
    params: '$.vm.unregister',
    what: 'unregister',
    name: 'Power off and unregister at DR',
    states: ['UnregisterVm', 'UnregisterVmDone', 'UnregisterVmFailed'],
  });
  return {
    StartAt: 'RollbackWhich',
    States: {
      RollbackWhich: {
        Type: 'Choice',
        Choices: [{ Variable: '$.vm.powerOff', IsPresent: true, Next: 'PowerOffVm' }],
        Default: 'UnregisterVm',
      },
      PowerOffVm: deviceTask({
        kind: 'vm.power',
        target: VM_VCENTER,
        paramsPath: '$.vm.powerOff',
        step: vmStep('power-off', 'Power off (the original VM stays registered)'),
        timeoutSeconds: TIMEOUT.vmPower,
        resultPath: '$.done',
        next: 'UnregisterVmDone',
        catchTo: 'UnregisterVmFailed',
        catchResultPath: '$.error',
      }),
      ...m.States,
    },
  };
};

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
        next: 'SourceReadonly',
        catchTo: 'Finish',
      }),
      // From here to the promotion, a failure makes the source writable again (StoppedBeforePromotion).
      SourceReadonly: sourceAccess({
        readonly: true,
        key: 'source-readonly',
        name: 'Source read-only',
        resultPath: '$.sourceReadonly',
        next: 'FinalSnapshot',
        // It may have been set before the failure was seen: made writable all the same.
        catchTo: 'SourceWritableAgain',
        catchResultPath: '$.error',
      }),
      FinalSnapshot: deviceTask({
        kind: 'zfs.snapshot',
        target: SOURCE_ZFS,
        paramsPath: '$.fo.snapshot',
        step: { key: 'final-snapshot', name: 'Final snapshot at the source' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.snapshot',
        next: 'FinalSync',
        catchTo: 'StoppedBeforePromotion',
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
        catchTo: 'StoppedBeforePromotion',
      }),
      FinalRecord: jobOpsTask({
        op: 'replica-record',
        resultPath: null,
        next: 'Plan',
        catchTo: 'StoppedBeforePromotion',
      }),
      Plan: jobOpsTask({
        op: 'fo-plan',
        resultPath: '$',
        next: 'Promote',
        catchTo: 'StoppedBeforePromotion',
      }),
      Promote: deviceTask({
        kind: 'zfs.promote',
        target: TARGET_ZFS,
        paramsPath: '$.promote',
        step: { key: 'promote', name: 'Promote the replica' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.promoted',
        next: 'MountPlan',
        catchTo: 'PromoteFailed',
      }),
      // A promote that failed may still have happened at the target (an answer lost, a timeout): the report
      // must not say nothing changed there.
      PromoteFailed: {
        Type: 'Pass',
        Result: true,
        ResultPath: '$.promoteUncertain',
        Next: 'StoppedBeforePromotion',
      },
      StoppedBeforePromotion: ifSourceReadonly('SourceWritableAgain', 'Finish'),
      SourceWritableAgain: sourceAccess({
        readonly: false,
        key: 'source-writable',
        name: 'Source writable again',
        resultPath: '$.sourceWritable',
        next: 'Finish',
        catchTo: 'Finish',
        catchResultPath: '$.sourceWritableError',
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
          next: 'SourceHandover',
        }),
        Catch: catchAll('Commit', '$.originalError'),
      },
      // The source stays read-only: the replica from now on. A failback's source (the DR copy a failover
      // promoted) loses its promoted mark here, or the reverse replication would refuse to receive into it.
      SourceHandover: sourceAccess({
        readonly: true,
        handover: true,
        key: 'source-handover',
        name: 'Source read-only, the replica from now on',
        resultPath: '$.sourceHandover',
        next: 'Commit',
        catchTo: 'Commit',
        catchResultPath: '$.originalError',
      }),
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
        processor: rollbackVm(),
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
        next: 'RolledBackAtDr',
        catchTo: 'Finish',
        catchResultPath: '$.unmountError',
      }),
      // Nothing runs at DR any more: the source may take writes again, whatever the second decision is.
      RolledBackAtDr: ifSourceReadonly('RollbackSourceWritable', 'Confirm'),
      RollbackSourceWritable: sourceAccess({
        readonly: false,
        key: 'rollback-source-writable',
        name: 'Source writable again',
        resultPath: '$.sourceWritable',
        next: 'Confirm',
        catchTo: 'Confirm',
        catchResultPath: '$.sourceWritableError',
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
