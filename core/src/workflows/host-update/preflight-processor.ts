import { type AslMachine, deviceTask, hostStepTemplate, jobOpsTask } from '../asl';
import { TIMEOUT } from '../timing';
import { idrac, HOST } from './state-builders';

/**
 * Per-host preflight: state, Lifecycle Controller and a fresh firmware inventory in one read, then JobOps
 * evaluates (and says whether the host's stale iDRAC jobs are to be cleared: done after the Preflight decision,
 * by clearStaleJobsProcessor, so a host without stale jobs costs no Choice here).
 */
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
      [toEval]: jobOpsTask({ op: 'preflight-host', resultPath: '$' }),
    },
  };
}

/**
 * Stale iDRAC jobs cleared (job policy `clear`) on the hosts the preflight named (`$.clearStale`), before
 * anything is staged.
 */
export function clearStaleJobsProcessor(): AslMachine {
  return {
    StartAt: 'PreflightClearStaleJobs',
    States: {
      PreflightClearStaleJobs: deviceTask({
        kind: 'idrac.clear-stale-jobs',
        target: { type: 'idrac', 'id.$': '$.hostId' },
        params: { force: false },
        step: { ...hostStepTemplate('clear-stale-jobs', '$.hostId'), name: 'Clear stale iDRAC jobs' },
        timeoutSeconds: TIMEOUT.quick,
        resultPath: null,
        catchTo: 'PreflightClearFailed',
        catchResultPath: '$.clearError',
      }),
      // As before the move: a failed clear is not a stop (the step says it failed; staging meets what is left).
      PreflightClearFailed: { Type: 'Succeed' },
    },
  };
}
