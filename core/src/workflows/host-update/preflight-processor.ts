import { type AslMachine, deviceTask, hostStepTemplate, jobOpsTask } from '../asl';
import { TIMEOUT } from '../timing';
import { idrac, HOST } from './state-builders';

/** Per-host preflight: state, Lifecycle Controller and a fresh firmware inventory in one read, then JobOps evaluates. */
export function preflightProcessor(): AslMachine {
  const toEval = 'PreflightHostEvaluate';
  return {
    StartAt: 'PreflightRead',
    States: {
      PreflightRead: deviceTask({
        kind: 'host.preflight',
        target: idrac,
        paramsPath: HOST,
        step: {
          ...hostStepTemplate('preflight'),
          name: 'Preflight: host state, Lifecycle Controller, firmware',
        },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: '$.read',
        next: toEval,
        catchTo: toEval,
      }),
      [toEval]: jobOpsTask({ op: 'preflight-host', resultPath: '$', next: 'PreflightStaleJobs' }),
      PreflightStaleJobs: {
        Type: 'Choice',
        Choices: [{ Variable: '$.clearStaleJobs', BooleanEquals: true, Next: 'PreflightClearStaleJobs' }],
        Default: 'PreflightHostDone',
      },
      PreflightClearStaleJobs: deviceTask({
        kind: 'idrac.clear-stale-jobs',
        target: { type: 'idrac', 'id.$': '$.hostId' },
        params: { force: false },
        step: { ...hostStepTemplate('clear-stale-jobs', '$.hostId'), name: 'Clear stale iDRAC jobs' },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: null,
        next: 'PreflightHostDone',
        catchTo: 'PreflightHostDone',
        catchResultPath: '$.clearError',
      }),
      PreflightHostDone: { Type: 'Succeed' },
    },
  };
}
