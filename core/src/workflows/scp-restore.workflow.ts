import { type AslMachine, jobOpsTask } from './asl';
import {
  enterMaintenance,
  exitMaintenance,
  pauseForResolution,
  scanBlockers,
  vmPowerMap,
} from './host-update/state-builders';
import { runCommand } from './single-command.workflow';

/**
 * `scp_restore`: the scp.import relay command (import, job tracked to completion, verified by re-export), and
 * for an ESXi host in a cluster whose import reboots it, maintenance mode around it the way the one-host
 * firmware update does: blocker scan → Blockers (the same JobOps op) → [pause for the operator's resolution,
 * the update's pause and card] → VMs off → enter → import → exit → VMs on. The host leaves maintenance mode on
 * every path that entered it, a failed import included: the profile either applied or did not, and a host
 * parked in maintenance mode after a failed restore is capacity nobody asked to lose. A cancel at the pause
 * (or skipping the host) ends the job with nothing touched.
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
        Choices: [
          { Variable: '$.blockerAction', StringEquals: 'go', Next: 'EnterMaintenance' },
          { Variable: '$.blockerAction', StringEquals: 'pause', Next: 'PauseForResolution' },
        ],
        Default: 'BlockersRefuse',
      },
      // Only a job that cannot ask anyone gets here (a restore is always interactive today).
      BlockersRefuse: {
        Type: 'Pass',
        Result:
          'blockers need a decision before maintenance mode (see the blocker scan and the log): nothing was changed; resolve them and run the restore again',
        ResultPath: '$.failure',
        Next: 'Finish',
      },
      PauseForResolution: pauseForResolution({ next: 'ApplyResolution', catchTo: 'Finish' }),
      ApplyResolution: jobOpsTask({
        op: 'apply-resolution',
        resultPath: '$',
        next: 'PowerOffVms',
        catchTo: 'Finish',
      }),
      // A VM that failed to power off may still have: power the list on again (on is a no-op for one on).
      ...vmPowerMap('PowerOffVms', 'off', 'EnterMaintenance', 'PowerOnVmsAfterFailure', '$.powerOff'),
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
        next: 'PowerOnVms',
        catchTo: 'Finish',
        catchResultPath: '$.exitError',
      }),
      ...vmPowerMap('PowerOnVms', 'on', 'Finish', 'Finish', '$.powerOff'),
      ExitNeededAfterFailure: {
        Type: 'Choice',
        Choices: [{ Variable: '$.maintenance', BooleanEquals: true, Next: 'ExitMaintenanceAfterFailure' }],
        Default: 'Finish',
      },
      // The import's error stays under `$.error` for the report; the exit's own goes under `$.exitError`.
      ExitMaintenanceAfterFailure: exitMaintenance({
        name: 'Exit maintenance mode (after the failed restore)',
        next: 'PowerOnVmsAfterFailure',
        catchTo: 'Finish',
        catchResultPath: '$.exitError',
      }),
      ...vmPowerMap('PowerOnVmsAfterFailure', 'on', 'Finish', 'Finish', '$.powerOff'),
      Finish: jobOpsTask({ op: 'finish', resultPath: null }),
    },
  };
}
