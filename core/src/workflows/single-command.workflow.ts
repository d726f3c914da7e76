import { type AslMachine, type AslState, DISPATCH_FN, deviceTask, jobOpsTask } from './asl';
import { HEARTBEAT, TIMEOUT } from './timing';

/**
 * Jobs that are one relay command: `power_operation`, `virtual_media_mount`/`_unmount`, `scp_export`,
 * `inventory_sync`. JobOps `begin` validates the job's params (e.g. a forced power action only when asked)
 * and returns the command; the command runs; `finish` records the outcome. Three transitions per job.
 */
export function buildSingleCommandWorkflow(comment: string): AslMachine {
  return {
    Comment: comment,
    StartAt: 'Begin',
    States: {
      Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'RunCommand', catchTo: 'Finish' }),
      RunCommand: runCommand({ next: 'Finish', catchTo: 'Finish' }),
      Finish: jobOpsTask({ op: 'finish', resultPath: null }),
    },
  };
}

/** The job's one relay command, as JobOps `begin` put it under `$.command`; its answer under `$.result`. */
export function runCommand(o: { next: string; catchTo: string }): AslState {
  return {
    ...deviceTask({
      // Placeholders: the real kind/target/params come from `$.command` (replaced below).
      kind: 'host.state',
      target: {},
      params: {},
      step: { key: 'command', 'name.$': '$.command.kind' },
      timeoutSeconds: TIMEOUT.inventory,
      heartbeatSeconds: HEARTBEAT,
      resultPath: '$.result',
      next: o.next,
      catchTo: o.catchTo,
    }),
    Parameters: {
      FunctionName: DISPATCH_FN,
      Payload: {
        'jobId.$': '$.jobId',
        'command.$': '$.command',
        step: { key: 'command', 'name.$': '$.command.kind' },
        'taskToken.$': '$$.Task.Token',
      },
    },
  };
}
