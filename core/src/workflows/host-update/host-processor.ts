import { type AslMachine, type AslState, deviceTask, hostStepTemplate, jobOpsTask } from '../asl';
import { HEARTBEAT, TIMEOUT } from '../timing';
import { POWER_OFF_FIRST, POWER_ON_FIRST } from '../ops/hosts.op';
import { idrac, HOST, beginOrWait, vmPowerMap, enterMaintenance, exitMaintenance } from './state-builders';
import type { HostUpdateVariant } from './variant';

/** One host, once its turn comes: VMs off → maintenance → apply + reboot → verify → exit → VMs on. */
export function hostProcessor(variant: HostUpdateVariant): AslMachine {
  const fail = 'HostProbe';
  const maint = variant === 'single-host';
  const inMaint = maint ? 'UseMaintenance' : 'EnterMaintenance';
  const states: Record<string, AslState> = {
    // Waits (woken, no loop) while the vCenter appliance's host waits for the others, or its in-service update
    // holds the host.
    // A host with VMs to power off (the blocker resolution) comes in by a detour (PowerOffVmsFirst): its answer
    // parsed back into `$.begin`, then the power-off Map. Most hosts have none: no Map state for them.
    ...beginOrWait({
      prefix: 'Host',
      op: 'host-begin',
      go: inMaint,
      pass: 'HostNotStarted',
      catchTo: fail,
      routes: { [POWER_OFF_FIRST]: 'BeginWithVms' },
    }),
    BeginWithVms: {
      Type: 'Pass',
      Parameters: { 'v.$': 'States.StringToJson($.beginRoute.Cause)' },
      ResultPath: '$.begin',
      Next: 'PowerOffVms',
    },
    ...vmPowerMap('PowerOffVms', 'off', inMaint, fail),
    // `cancel <id> now` (or the window's end) stops the host at the next step that is not a flash: entering
    // maintenance and the reboot are stop points — their dispatch sends nothing when the job has a stop reason.
    EnterMaintenance: enterMaintenance({
      paramsPath: 'States.JsonMerge($.host, $.begin.v.enterParams, false)',
      next: 'ApplyAndReboot',
      catchTo: fail,
      stopTo: 'StopPowerOnVms',
    }),
    // Stopped before flashing: put the host back as it was (out of maintenance, VMs on), count it untouched.
    StopExitMaintenance: exitMaintenance({
      name: 'Exit maintenance mode (cancelled before flashing)',
      next: 'StopPowerOnVms',
      catchTo: fail,
    }),
    ...vmPowerMap('StopPowerOnVms', 'on', 'HostStopped', fail),
    HostStopped: jobOpsTask({ op: 'host-stopped', resultPath: null, catchTo: fail }),
    // Applies the staged firmware with one reboot, then reads the firmware back and compares it with what the
    // preflight expected (by SoftwareId, or FQDD for PCI devices): answered under `verify`.
    ApplyAndReboot: deviceTask({
      kind: 'host.apply-and-reboot',
      target: idrac,
      paramsPath: 'States.JsonMerge($.host, $.begin.v.rebootParams, false)',
      step: { ...hostStepTemplate('apply-and-reboot'), name: 'Reboot to apply staged firmware, then verify' },
      timeoutSeconds: TIMEOUT.applyAndReboot,
      heartbeatSeconds: HEARTBEAT,
      // What it verifies: the host's expected versions, from its 'plan' item (the dispatch fills them in).
      fromPlan: { expected: 'expected' },
      resultSelector: { 'v.$': '$.verify' },
      resultPath: '$.verify',
      next: maint ? 'VerifyOk' : 'ExitMaintenance',
      catchTo: fail,
      // Without maintenance mode (single host, when the job says so) there is nothing to exit.
      stopTo: maint ? 'StopExitNeeded' : 'StopExitMaintenance',
    }),
    // A host whose firmware does not match stays in maintenance mode: no VMs on an unverified host. The exit's
    // dispatch refuses it (NotVerified → HostFailed) unless the verification said ok: no state of its own.
    ExitMaintenance: exitMaintenance({
      next: 'HostDone',
      catchTo: fail,
      onlyIf: { path: '$.verify.v.ok', elseTo: 'HostFailed' },
    }),
    // On a task token: asks for the power-on Map first (PowerOnVmsFirst) when host-begin powered VMs off.
    HostDone: {
      ...jobOpsTask({ op: 'host-done', resultPath: null, waitForToken: { timeoutSeconds: TIMEOUT.quick } }),
      Catch: [{ ErrorEquals: [POWER_ON_FIRST], Next: 'PowerOnVms', ResultPath: null }],
    },
    ...vmPowerMap('PowerOnVms', 'on', 'HostDone', fail, undefined, '$.vmsOn'),
    // Failure path: find out where the host really is, so the report can say it.
    HostProbe: deviceTask({
      kind: 'host.state',
      target: idrac,
      paramsPath: HOST,
      step: { ...hostStepTemplate('probe'), name: 'Check host state after failure' },
      timeoutSeconds: TIMEOUT.quick,
      resultPath: '$.probe',
      next: 'HostFailed',
      catchTo: 'HostFailed',
      catchResultPath: '$.probeError',
    }),
    HostFailed: jobOpsTask({ op: 'host-failed', resultPath: null }),
  };
  if (maint) {
    // Without maintenance mode the VMs come back right after the reboot: a Choice checks the verification.
    states.VerifyOk = {
      Type: 'Choice',
      Choices: [{ Variable: '$.verify.v.ok', BooleanEquals: true, Next: 'UseExitMaintenance' }],
      Default: 'HostFailed',
    };
    // Hosts outside a cluster (or when the job says so) are updated without maintenance mode.
    states.UseMaintenance = {
      Type: 'Choice',
      Choices: [{ Variable: '$.begin.v.maintenance', BooleanEquals: true, Next: 'EnterMaintenance' }],
      Default: 'ApplyAndReboot',
    };
    states.StopExitNeeded = {
      Type: 'Choice',
      Choices: [{ Variable: '$.begin.v.maintenance', BooleanEquals: true, Next: 'StopExitMaintenance' }],
      Default: 'StopPowerOnVms',
    };
    states.UseExitMaintenance = {
      Type: 'Choice',
      Choices: [{ Variable: '$.begin.v.maintenance', BooleanEquals: true, Next: 'ExitMaintenance' }],
      Default: 'HostDone',
    };
  }
  // No state loads the host's firmware: the dispatch fills in what ApplyAndReboot verifies, host-done reads it.
  return { StartAt: 'HostBegin', States: states };
}
