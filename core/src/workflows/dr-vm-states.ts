// The per-VM states `failover` and `failover_test` share: the map over the VMs, each VM's steps at DR.
import { drVmStepParts, type StatePath, stepKeyFormat } from '../jobs/job-step';
import { type AslMachine, type AslState, deviceTask, inlineMap, jobOpsTask } from './asl';
import { HEARTBEAT, TIMEOUT } from './timing';

/** The VMs of `items`, ten at a time, each item with the job's id beside it (its steps are the job's). */
export const vmMap = (o: {
  items: string;
  processor: AslMachine;
  resultPath: string;
  next: string;
  catchTo?: string;
}): AslState =>
  inlineMap({
    itemsPath: o.items,
    itemSelector: { 'jobId.$': '$.jobId', 'vm.$': '$$.Map.Item.Value' },
    maxConcurrency: 10,
    processor: o.processor,
    resultPath: o.resultPath,
    next: o.next,
    ...(o.catchTo ? { catchTo: o.catchTo } : {}),
  });

/** A per-VM step's target: the vCenter the VM item names. */
export const VM_VCENTER = { type: 'vcenter', 'id.$': '$.vm.vcenterId' };

/** A per-VM step of the job, keyed by the VM's name (one step row per VM and action). */
export const vmStep = (what: string, name: string) => ({
  'key.$': stepKeyFormat(drVmStepParts<StatePath>({ path: '$.vm.name' }, what)),
  name,
});

/**
 * One VM brought up at DR (from the clone, or the promoted replica of a failover); any failure is that VM's,
 * recorded, and the others go on.
 */
export function vmProcessor(networkStep = 'Isolated test network'): AslMachine {
  const vmTask = (o: Omit<Parameters<typeof deviceTask>[0], 'target' | 'catchTo'>) =>
    deviceTask({ ...o, target: VM_VCENTER, catchTo: 'VmFailed' });
  return {
    StartAt: 'Register',
    States: {
      Register: vmTask({
        kind: 'vm.register',
        paramsPath: '$.vm.register',
        step: vmStep('register', 'Register at DR'),
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.reg',
        next: 'Network',
      }),
      Network: vmTask({
        kind: 'vm.reconfigure-network',
        params: {
          'vcenterId.$': '$.vm.vcenterId',
          'vmMoref.$': '$.reg.vmMoref',
          'portGroup.$': '$.vm.portGroup',
        },
        step: vmStep('network', networkStep),
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.net',
        next: 'PowerOn',
      }),
      PowerOn: vmTask({
        kind: 'vm.power',
        params: { 'vcenterId.$': '$.vm.vcenterId', 'vmMoref.$': '$.reg.vmMoref', state: 'on' },
        step: vmStep('power-on', 'Power on'),
        timeoutSeconds: TIMEOUT.vmPower,
        resultPath: '$.power',
        next: 'Tools',
      }),
      Tools: vmTask({
        kind: 'vm.tools-status',
        params: {
          'vcenterId.$': '$.vm.vcenterId',
          'vmMorefs.$': 'States.Array($.reg.vmMoref)',
          'waitSeconds.$': '$.vm.toolsTimeoutSeconds',
        },
        step: vmStep('tools', 'VMware Tools heartbeat'),
        timeoutSeconds: TIMEOUT.quick,
        heartbeatSeconds: HEARTBEAT,
        resultPath: '$.tools',
        next: 'VmDone',
      }),
      VmDone: jobOpsTask({ op: 'ft-vm', resultPath: '$' }),
      VmFailed: jobOpsTask({ op: 'ft-vm', resultPath: '$' }),
    },
  };
}
