import { type AslMachine, jobOpsTask } from './asl';
import { enterMaintenance, exitMaintenance, scanBlockers } from './host-update/state-builders';
import { runCommand } from './single-command.workflow';

/**
 * `scp_restore`: the scp.import relay command (import, job tracked to completion, verified by re-export), and
 * for an ESXi host in a cluster whose import reboots it, maintenance mode around it the way the one-host
 * firmware update does: blocker scan → Blockers (the same JobOps op) → enter → import → exit. The host leaves
 * maintenance mode on every path that entered it, a failed import included: the profile either applied or
 * did not, and a host parked in maintenance mode after a failed restore is capacity nobody asked to lose.
 *
 * Blockers that need a decision end the job before anything is touched (no pause: a restore is one host, and
 * the operator resolves the VMs and asks again).
 */
export function buildScpRestoreWorkflow(): AslMachine {
  return {
    Comment: 'RackOps SCP restore, in maintenance mode for a clustered ESXi host',
    StartAt: 'Begin',
    States: {
      Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'UseMaintenance', catchTo: 'Finish' }),
      UseMaintenance: {
        Type: 'Choice',
        Choices: [{ Variable: '$.maintenance', BooleanEquals: true, Next: 'ScanBlockers' }],
        Default: 'RunCommand',
      },
      ScanBlockers: scanBlockers({ next: 'Blockers', catchTo: 'Finish' }),
      Blockers: jobOpsTask({ op: 'blockers', resultPath: '$', next: 'BlockerDecision', catchTo: 'Finish' }),
      BlockerDecision: {
        Type: 'Choice',
        Choices: [{ Variable: '$.blockerAction', StringEquals: 'go', Next: 'EnterMaintenance' }],
        Default: 'BlockersRefuse',
      },
      BlockersRefuse: {
        Type: 'Pass',
        Result:
          'blockers need a decision before maintenance mode (see the blocker scan and the log): nothing was changed; resolve them and run the restore again',
        ResultPath: '$.failure',
        Next: 'Finish',
      },
      // A failed enter may still have moved VMs or left the task half done: the exit below converges.
      EnterMaintenance: enterMaintenance({
        paramsPath: 'States.JsonMerge($.host, $.enterParams, false)',
        next: 'RunCommand',
        catchTo: 'ExitNeededAfterFailure',
      }),
      RunCommand: runCommand({ next: 'ExitNeeded', catchTo: 'ExitNeededAfterFailure' }),
      ExitNeeded: {
        Type: 'Choice',
        Choices: [{ Variable: '$.maintenance', BooleanEquals: true, Next: 'ExitMaintenance' }],
        Default: 'Finish',
      },
      ExitMaintenance: exitMaintenance({
        next: 'Finish',
        catchTo: 'Finish',
        catchResultPath: '$.exitError',
      }),
      ExitNeededAfterFailure: {
        Type: 'Choice',
        Choices: [{ Variable: '$.maintenance', BooleanEquals: true, Next: 'ExitMaintenanceAfterFailure' }],
        Default: 'Finish',
      },
      // The import's error stays under `$.error` for the report; the exit's own goes under `$.exitError`.
      ExitMaintenanceAfterFailure: exitMaintenance({
        name: 'Exit maintenance mode (after the failed restore)',
        next: 'Finish',
        catchTo: 'Finish',
        catchResultPath: '$.exitError',
      }),
      Finish: jobOpsTask({ op: 'finish', resultPath: null }),
    },
  };
}
