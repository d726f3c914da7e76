import { type AslMachine, deviceTask, hostStepTemplate, jobOpsTask } from '../asl';
import { TIMEOUT } from '../timing';
import { idrac, beginOrWait, stageFirmware } from './state-builders';

/**
 * One host's firmware that needs no host reboot, applied while the host serves VMs: ApplyNowBegin (JobOps, on a
 * task token) takes the host's claim, or waits to be woken while the host is in its window — a first-wave host
 * until its window has ended — or passes (nothing to do, done, cancel, a failure that stops the job).
 */
export function applyNowProcessor(): AslMachine {
  const failed = 'ApplyNowFailed';
  return {
    StartAt: 'ApplyNowBegin',
    States: {
      // Woken by the end of the host's window (host-done, host-failed, host-stopped) when it has to wait.
      ...beginOrWait({
        prefix: 'ApplyNow',
        op: 'apply-now-begin',
        go: 'ApplyNowStage',
        pass: 'ApplyNowPass',
        catchTo: failed,
      }),
      ApplyNowStage: stageFirmware({
        packages: 'immediate',
        applyTime: 'Immediate',
        step: ['apply-now', 'Apply firmware that needs no reboot (in service)'],
        next: 'ApplyNowRead',
        catchTo: failed,
      }),
      ApplyNowRead: deviceTask({
        kind: 'inventory.idrac',
        target: idrac,
        params: {},
        step: {
          ...hostStepTemplate('apply-now-verify'),
          name: 'Read firmware after the in-service update',
        },
        timeoutSeconds: TIMEOUT.quick,
        resultSelector: { 'firmware.$': '$.firmware' },
        resultPath: '$.fw',
        next: 'ApplyNowDone',
        catchTo: failed,
      }),
      ApplyNowDone: jobOpsTask({ op: 'apply-now-done', resultPath: null, catchTo: failed }),
      [failed]: jobOpsTask({ op: 'apply-now-failed', resultPath: null }),
    },
  };
}
