import { type AslMachine, type AslState, catchAll, deviceTask, jobOpsTask } from './asl';
import { VM_VCENTER, vmMap, vmProcessor, vmStep } from './dr-vm-states';
import { TIMEOUT } from './timing';

const TARGET_ZFS = { type: 'zfs', 'id.$': '$.ft.targetAppliance' };
const DR_VCENTER = { type: 'vcenter', 'id.$': '$.ft.vcenterId' };
/** A cleanup step: its failure is kept (`$.<name>Error`) and the next cleanup step runs anyway. */
const cleanupTask = (o: Parameters<typeof deviceTask>[0] & { errorPath: string }): AslState =>
  deviceTask({ ...o, catchTo: o.next, catchResultPath: o.errorPath });

const withCatch = (state: AslState, next: string, errorPath: string): AslState => ({
  ...state,
  Catch: catchAll(next, errorPath),
});

const present = (path: string, next: string, otherwise: string): AslState => ({
  Type: 'Choice',
  Choices: [{ Variable: path, IsPresent: true, Next: next }],
  Default: otherwise,
});

/**
 * `failover_test`: the group's newest replica cloned on the target appliance (replication goes on into the
 * replica meanwhile), the clone mounted as a datastore on the DR vCenter, each VM registered from its `.vmx`,
 * moved to the isolated test port group, powered on and waited on for a Tools heartbeat; the report per VM,
 * then a pause on a task token until someone says *Clean up* (or cancels, or the pause times out). Clean-up
 * runs after any failure past the clone as well: VMs unregistered (powered off first), the datastore
 * unmounted, the clone destroyed — each step tried whatever the one before did, every failure named.
 */
export function buildFailoverTestWorkflow(): AslMachine {
  return {
    Comment: 'RackOps test failover of one protection group',
    StartAt: 'Begin',
    States: {
      Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'Clone', catchTo: 'Finish' }),
      Clone: deviceTask({
        kind: 'zfs.clone',
        target: TARGET_ZFS,
        paramsPath: '$.ft.clone',
        step: { key: 'clone', name: 'Clone the newest replica' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.clone',
        next: 'Plan',
        catchTo: 'CleanupPlan',
      }),
      Plan: jobOpsTask({ op: 'ft-plan', resultPath: '$', next: 'Mount', catchTo: 'CleanupPlan' }),
      Mount: deviceTask({
        kind: 'datastore.mount-nfs',
        target: DR_VCENTER,
        paramsPath: '$.mount',
        step: { key: 'mount', name: 'Mount the clone at DR' },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.mounted',
        next: 'Vms',
        catchTo: 'CleanupPlan',
      }),
      Vms: vmMap({
        items: '$.vms',
        processor: vmProcessor(),
        resultPath: '$.results',
        next: 'Report',
        catchTo: 'CleanupPlan',
      }),
      Report: jobOpsTask({ op: 'ft-report', resultPath: null, next: 'Pause', catchTo: 'CleanupPlan' }),
      Pause: jobOpsTask({
        op: 'pause',
        args: { reason: 'test failover running at DR: Clean up when done', kind: 'operator' },
        waitForToken: { timeoutSeconds: TIMEOUT.pause },
        resultPath: '$.resume',
        next: 'CleanupPlan',
        catchTo: 'CleanupPlan',
        catchResultPath: '$.pauseEnd',
      }),
      CleanupPlan: jobOpsTask({
        op: 'ft-cleanup-plan',
        resultPath: '$.cleanup',
        next: 'Unregister',
        catchTo: 'Finish',
        catchResultPath: '$.cleanupError',
      }),
      Unregister: withCatch(
        vmMap({
          items: '$.cleanup.v.vms',
          processor: {
            StartAt: 'UnregisterVm',
            States: {
              UnregisterVm: deviceTask({
                kind: 'vm.unregister',
                target: VM_VCENTER,
                paramsPath: '$.vm.unregister',
                step: vmStep('unregister', 'Power off and unregister'),
                timeoutSeconds: TIMEOUT.vmPower,
                resultPath: '$.done',
                outputPath: '$.done',
                catchTo: 'UnregisterFailed',
                catchResultPath: '$.error',
              }),
              UnregisterFailed: { Type: 'Pass', OutputPath: '$.error', End: true },
            },
          },
          resultPath: '$.unregistered',
          next: 'HasMount',
        }),
        'HasMount',
        '$.unregisterError',
      ),
      HasMount: present('$.cleanup.v.unmount', 'Unmount', 'HasClone'),
      Unmount: cleanupTask({
        kind: 'datastore.unmount-nfs',
        target: DR_VCENTER,
        paramsPath: '$.cleanup.v.unmount',
        step: { key: 'unmount', name: 'Unmount the clone at DR' },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.unmounted',
        next: 'HasClone',
        errorPath: '$.unmountError',
      }),
      HasClone: present('$.cleanup.v.destroy', 'DestroyClone', 'Finish'),
      DestroyClone: cleanupTask({
        kind: 'zfs.destroy-clone',
        target: TARGET_ZFS,
        paramsPath: '$.cleanup.v.destroy',
        step: { key: 'destroy-clone', name: 'Destroy the clone' },
        timeoutSeconds: TIMEOUT.zfs,
        resultPath: '$.destroyed',
        next: 'Finish',
        errorPath: '$.destroyError',
      }),
      Finish: jobOpsTask({ op: 'finish', resultPath: null }),
    },
  };
}
