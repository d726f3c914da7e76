import {
  type AslMachine,
  type AslState,
  catchAll,
  deviceTask,
  hostStepKey,
  inlineMap,
  jobOpsTask,
} from './asl';
import { HEARTBEAT, TIMEOUT } from './timing';

/**
 * The firmware-update state machine, in two variants built from the same pieces:
 * - `rolling`: a whole cluster (DESIGN §7), with HA admission control relaxed and restored;
 * - `single-host`: one host (`firmware_update`); maintenance mode optional outside a cluster, HA untouched.
 * See README.md in this folder for the states and every exit path.
 */
export type HostUpdateVariant = 'rolling' | 'single-host';

/**
 * Commands about one host go to that host's FIFO group, even when vCenter does the work (maintenance mode, VM
 * power): the params name the vCenter. Targeting the vCenter would put every host of a batch in ONE group and
 * serialise the batch (and starve the queued commands of heartbeats).
 */
const idrac = { type: 'idrac', 'id.$': '$.host.hostId' };
/** The host's ref fields ride in `$.host` (hostMoref/vcenterId absent outside vCenter); zod keeps only those. */
const HOST = '$.host';

/** Per-host preflight: state, Lifecycle Controller and a fresh firmware inventory in one read, then JobOps evaluates. */
function preflightProcessor(): AslMachine {
  const toEval = 'PreflightHostEvaluate';
  return {
    StartAt: 'PreflightRead',
    States: {
      PreflightRead: deviceTask({
        kind: 'host.preflight',
        target: idrac,
        paramsPath: HOST,
        step: { ...hostStepKey('preflight'), name: 'Preflight: host state, Lifecycle Controller, firmware' },
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
        step: { ...hostStepKey('clear-stale-jobs', '$.hostId'), name: 'Clear stale iDRAC jobs' },
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

/**
 * `<prefix>Begin` (a JobOps op answering `{ go, wait }`) → `<prefix>Go`: go on, loop through a Wait state and ask
 * again, or pass (Succeed).
 */
function beginOrWait(o: {
  prefix: string;
  op: string;
  go: string;
  wait: string;
  waitSeconds: number;
  pass: string;
  catchTo: string;
}): Record<string, AslState> {
  const begin = `${o.prefix}Begin`;
  const choice = `${o.prefix}Go`;
  return {
    [begin]: jobOpsTask({ op: o.op, resultPath: '$.begin', next: choice, catchTo: o.catchTo }),
    [choice]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.begin.v.go', BooleanEquals: true, Next: o.go },
        { Variable: '$.begin.v.wait', BooleanEquals: true, Next: o.wait },
      ],
      Default: o.pass,
    },
    [o.wait]: { Type: 'Wait', Seconds: o.waitSeconds, Next: begin },
    [o.pass]: { Type: 'Succeed' },
  };
}

/** Power VMs off (before maintenance) or back on (after), in parallel. */
function vmPowerMap(
  name: string,
  state: 'on' | 'off',
  next: string,
  catchTo?: string,
): Record<string, AslState> {
  const inner = `${name}Vm`;
  return {
    [name]: inlineMap({
      itemsPath: '$.begin.v.powerOff',
      itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$.host', 'vm.$': '$$.Map.Item.Value' },
      maxConcurrency: 0,
      processor: {
        StartAt: inner,
        States: {
          [inner]: deviceTask({
            kind: 'vm.power',
            target: idrac,
            params: { 'vcenterId.$': '$.vm.vcenterId', 'vmMoref.$': '$.vm.vmMoref', state, graceful: true },
            step: {
              'key.$': `States.Format('host:{}:vm:{}:power-${state}', $.host.hostId, $.vm.vmId)`,
              'hostId.$': '$.host.hostId',
              name: `Power ${state} VM`,
            },
            timeoutSeconds: TIMEOUT.vmPower,
            heartbeatSeconds: HEARTBEAT,
          }),
        },
      },
      next,
      catchTo,
    }),
  };
}

/** A JobOps checkpoint (`check-cancel`, answering `{ stop }`): stop → `stop`, else → `next`. */
function cancelCheckpoint(
  name: string,
  next: string,
  stop: string,
  catchTo: string,
): Record<string, AslState> {
  const choice = `${name}Stop`;
  return {
    [name]: jobOpsTask({ op: 'check-cancel', resultPath: '$.cancel', next: choice, catchTo }),
    [choice]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.cancel.v.stop', BooleanEquals: true, Next: stop }],
      Default: next,
    },
  };
}

/** One host, once its turn comes: VMs off → maintenance → apply + reboot → verify → exit → VMs on. */
function hostProcessor(variant: HostUpdateVariant): AslMachine {
  const fail = 'HostProbe';
  const maint = variant === 'single-host';
  const states: Record<string, AslState> = {
    // Loops while the vCenter appliance's host waits for the others, or its in-service update holds the host.
    ...beginOrWait({
      prefix: 'Host',
      op: 'host-begin',
      go: 'PowerOffVms',
      wait: 'HostWaitTurn',
      waitSeconds: 30,
      pass: 'HostNotStarted',
      catchTo: fail,
    }),
    ...vmPowerMap('PowerOffVms', 'off', 'CancelAfterVmsOff', fail),
    // `cancel <id> now` stops the host at the next step that is not a flash: these two checkpoints.
    ...cancelCheckpoint(
      'CancelAfterVmsOff',
      maint ? 'UseMaintenance' : 'EnterMaintenance',
      'StopPowerOnVms',
      fail,
    ),
    EnterMaintenance: deviceTask({
      kind: 'host.enter-maintenance',
      target: idrac,
      paramsPath: 'States.JsonMerge($.host, $.begin.v.enterParams, false)',
      step: { ...hostStepKey('enter-maintenance'), name: 'Enter maintenance mode' },
      timeoutSeconds: TIMEOUT.enterMaintenance,
      heartbeatSeconds: HEARTBEAT,
      next: 'CancelInMaintenance',
      catchTo: fail,
    }),
    ...cancelCheckpoint('CancelInMaintenance', 'ApplyAndReboot', 'StopExitMaintenance', fail),
    // Stopped before flashing: put the host back as it was (out of maintenance, VMs on), count it untouched.
    StopExitMaintenance: deviceTask({
      kind: 'host.exit-maintenance',
      target: idrac,
      paramsPath: HOST,
      step: { ...hostStepKey('exit-maintenance'), name: 'Exit maintenance mode (cancelled before flashing)' },
      timeoutSeconds: TIMEOUT.exitMaintenance,
      heartbeatSeconds: HEARTBEAT,
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
      step: { ...hostStepKey('apply-and-reboot'), name: 'Reboot to apply staged firmware, then verify' },
      timeoutSeconds: TIMEOUT.applyAndReboot,
      heartbeatSeconds: HEARTBEAT,
      resultSelector: { 'v.$': '$.verify' },
      resultPath: '$.verify',
      next: 'VerifyOk',
      catchTo: fail,
    }),
    // A host whose firmware does not match stays in maintenance mode: no VMs on an unverified host.
    VerifyOk: {
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.verify.v.ok',
          BooleanEquals: true,
          Next: maint ? 'UseExitMaintenance' : 'ExitMaintenance',
        },
      ],
      Default: 'HostFailed',
    },
    ExitMaintenance: deviceTask({
      kind: 'host.exit-maintenance',
      target: idrac,
      paramsPath: HOST,
      step: { ...hostStepKey('exit-maintenance'), name: 'Exit maintenance mode' },
      timeoutSeconds: TIMEOUT.exitMaintenance,
      heartbeatSeconds: HEARTBEAT,
      next: 'PowerOnVms',
      catchTo: fail,
    }),
    ...vmPowerMap('PowerOnVms', 'on', 'HostDone', fail),
    HostDone: jobOpsTask({ op: 'host-done', resultPath: null }),
    // Failure path: find out where the host really is, so the report can say it.
    HostProbe: deviceTask({
      kind: 'host.state',
      target: idrac,
      paramsPath: HOST,
      step: { ...hostStepKey('probe'), name: 'Check host state after failure' },
      timeoutSeconds: TIMEOUT.quick,
      resultPath: '$.probe',
      next: 'HostFailed',
      catchTo: 'HostFailed',
      catchResultPath: '$.probeError',
    }),
    HostFailed: jobOpsTask({ op: 'host-failed', resultPath: null }),
  };
  if (maint) {
    // Hosts outside a cluster (or when the job says so) are updated without maintenance mode.
    states.UseMaintenance = {
      Type: 'Choice',
      Choices: [{ Variable: '$.begin.v.maintenance', BooleanEquals: true, Next: 'EnterMaintenance' }],
      Default: 'ApplyAndReboot',
    };
    states.UseExitMaintenance = {
      Type: 'Choice',
      Choices: [{ Variable: '$.begin.v.maintenance', BooleanEquals: true, Next: 'ExitMaintenance' }],
      Default: 'PowerOnVms',
    };
  }
  return { StartAt: 'HostBegin', States: states };
}

/**
 * One host's firmware that needs no host reboot, applied while the host serves VMs: ApplyNowBegin (JobOps) takes
 * the host's claim, or waits (ApplyNowWait, a Wait loop) while the host is in its window — a first-wave host
 * until its window has ended — or passes (nothing to do, done, cancel, a failure that stops the job).
 */
function applyNowProcessor(): AslMachine {
  const failed = 'ApplyNowFailed';
  return {
    StartAt: 'ApplyNowBegin',
    States: {
      // The wait is long: the host's window (evacuation, reboot with firmware, return) takes tens of minutes.
      ...beginOrWait({
        prefix: 'ApplyNow',
        op: 'apply-now-begin',
        go: 'ApplyNowStage',
        wait: 'ApplyNowWait',
        waitSeconds: 300,
        pass: 'ApplyNowPass',
        catchTo: failed,
      }),
      ApplyNowStage: stageFirmware({
        packages: '$.host.immediate',
        applyTime: 'Immediate',
        step: ['apply-now', 'Apply firmware that needs no reboot (in service)'],
        next: 'ApplyNowRead',
        catchTo: failed,
      }),
      ApplyNowRead: deviceTask({
        kind: 'inventory.idrac',
        target: idrac,
        params: {},
        step: { ...hostStepKey('apply-now-verify'), name: 'Read firmware after the in-service update' },
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

/** Where a cluster's vCenter and its moref sit in the state. */
const CLUSTER = { vcenterId: '$.ctx.cluster.vcenterId', moref: '$.ctx.cluster.moref' };

/** A command about a cluster: sent to its vCenter's FIFO group, naming the cluster, plus `more` params. */
function onCluster(at: { vcenterId: string; moref: string }, more: Record<string, string> = {}) {
  return {
    target: { type: 'vcenter', 'id.$': at.vcenterId },
    params: { 'clusterMoref.$': at.moref, 'vcenterId.$': at.vcenterId, ...more },
  };
}

function scanBlockers(o: { next?: string; catchTo?: string; outputPath?: string }): AslState {
  return deviceTask({
    kind: 'cluster.scan-blockers',
    ...onCluster(CLUSTER, { 'hostMorefs.$': '$.ctx.hostMorefs' }),
    step: { key: 'blocker-scan', name: 'Blocker scan' },
    timeoutSeconds: TIMEOUT.scan,
    heartbeatSeconds: HEARTBEAT,
    resultPath: '$.scan',
    ...o,
  });
}

/** firmware.stage of one host's packages (a path in the iteration state). */
function stageFirmware(o: {
  packages: string;
  applyTime: 'OnReset' | 'Immediate';
  step: [key: string, name: string];
  next?: string;
  catchTo?: string;
}): AslState {
  return deviceTask({
    kind: 'firmware.stage',
    target: idrac,
    params: { 'packages.$': o.packages, applyTime: o.applyTime, transfer: 'simple' },
    step: { ...hostStepKey(o.step[0]), name: o.step[1] },
    timeoutSeconds: TIMEOUT.stage,
    heartbeatSeconds: HEARTBEAT,
    next: o.next,
    catchTo: o.catchTo,
  });
}

/** SCP backup of one host (read-only for the host: the profile is stored on-prem). */
function scpExport(next?: string): AslState {
  return deviceTask({
    kind: 'scp.export',
    target: idrac,
    params: { target: 'ALL', format: 'JSON' },
    step: { ...hostStepKey('scp-export'), name: 'SCP backup' },
    timeoutSeconds: TIMEOUT.scp,
    heartbeatSeconds: HEARTBEAT,
    next,
  });
}

export function buildHostUpdateWorkflow(variant: HostUpdateVariant): AslMachine {
  const rolling = variant === 'rolling';
  const cleanup = 'Cleanup';
  const states: Record<string, AslState> = {
    Begin: jobOpsTask({ op: 'begin', resultPath: '$', next: 'PreflightHosts', catchTo: 'Finish' }),
    PreflightHosts: inlineMap({
      itemsPath: '$.ctx.hosts',
      itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
      maxConcurrency: 0,
      processor: preflightProcessor(),
      resultPath: '$.pre',
      next: 'Preflight',
      catchTo: 'Finish',
    }),
    // Evaluates every host and the catalog (read now, not when the job was created), and plans.
    Preflight: jobOpsTask({ op: 'preflight', resultPath: '$', next: 'PreflightDecision', catchTo: 'Finish' }),
    PreflightDecision: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.decision', StringEquals: 'proceed', Next: rolling ? 'Prepare' : 'ScanNeeded' },
      ],
      Default: 'Finish',
    },
    // Classifies, stores one blocker item per host, and decides: pause (interactive), policy (scheduled), go.
    Blockers: jobOpsTask({ op: 'blockers', resultPath: '$', next: 'BlockerDecision', catchTo: cleanup }),
    BlockerDecision: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.blockerAction', StringEquals: 'pause', Next: 'PauseForResolution' },
        { Variable: '$.blockerAction', StringEquals: 'fail', Next: cleanup },
      ],
      Default: 'ApplyResolution',
    },
    // Waits in place for the operator's resolution (resume use-case → SendTaskSuccess) or a cancel (failure).
    PauseForResolution: jobOpsTask({
      op: 'pause',
      args: { kind: 'blockers', reason: 'blockers need a decision' },
      waitForToken: { timeoutSeconds: TIMEOUT.pause },
      resultPath: '$.resume',
      next: 'ApplyResolution',
      catchTo: cleanup,
    }),
    // Re-plans with the resolution (skipped hosts, order, batch size) and the VMs to power off per host.
    ApplyResolution: jobOpsTask({
      op: 'apply-resolution',
      resultPath: '$',
      next: 'StageFirmware',
      catchTo: cleanup,
    }),
    // Stage the reboot-required firmware (OnReset) while every host still serves VMs (and back it up, one host):
    // a host's time out of service is then only evacuation, apply + reboot, verification and exit, and a backup
    // or package that fails stops the job before any host has left service.
    StageFirmware: inlineMap({
      itemsPath: '$.plan.hosts',
      itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
      maxConcurrency: 0,
      processor: {
        StartAt: rolling ? 'StageNeeded' : 'ScpExport',
        States: {
          // The rolling update backs up every host earlier, beside the HA relax and the scan (Prepare).
          ...(rolling ? {} : { ScpExport: scpExport('StageNeeded') }),
          StageNeeded: {
            Type: 'Choice',
            Choices: [{ Variable: '$.host.reboot', BooleanEquals: true, Next: 'StageHost' }],
            Default: 'StageNotNeeded',
          },
          StageHost: stageFirmware({
            packages: '$.host.packages',
            applyTime: 'OnReset',
            step: ['stage', 'Stage firmware (OnReset)'],
          }),
          StageNotNeeded: { Type: 'Succeed' },
        },
      },
      next: 'Rollout',
      catchTo: cleanup,
    }),
    // Two branches over the same hosts. Hosts: a sliding window — hosts start in plan order, at most batch size
    // (≤ k) at a time, each as soon as a slot frees; host-begin stops new starts after a cancel or a failure.
    // Firmware that needs no host reboot (iDRAC, LC…): applied while each host serves VMs, never during its
    // window (a per-host claim in JobOps), later waves first so it is done before their turn.
    Rollout: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Hosts',
          States: {
            Hosts: inlineMap({
              itemsPath: '$.plan.hosts',
              itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
              maxConcurrencyPath: '$.plan.batchSize',
              processor: hostProcessor(variant),
            }),
          },
        },
        {
          StartAt: 'ApplyNow',
          States: {
            ApplyNow: inlineMap({
              itemsPath: '$.plan.applyNow',
              itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
              // At most a window's worth of iDRACs update (and reset) at once.
              maxConcurrencyPath: '$.plan.batchSize',
              processor: applyNowProcessor(),
            }),
          },
        },
      ],
      ResultPath: null,
      Next: cleanup,
      Catch: catchAll(cleanup),
    },
    // Every exit after preflight passes here: restore HA (if it was relaxed) and un-stage firmware on hosts
    // that were staged but not updated, then finish.
    [cleanup]: jobOpsTask({
      op: 'cleanup-plan',
      resultPath: '$',
      next: 'RestoreHaNeeded',
      catchTo: 'Finish',
    }),
    RestoreHaNeeded: {
      Type: 'Choice',
      Choices: [{ Variable: '$.cleanup.restoreHa', BooleanEquals: true, Next: 'RestoreHa' }],
      Default: 'Unstage',
    },
    RestoreHa: deviceTask({
      kind: 'cluster.ha-restore',
      // The cluster as the HA record saved it (the context may be gone on some exit paths).
      ...onCluster(
        { vcenterId: '$.cleanup.ha.vcenterId', moref: '$.cleanup.ha.clusterMoref' },
        { 'settings.$': '$.cleanup.ha.settings' },
      ),
      step: { key: 'ha-restore', name: 'Restore HA admission control' },
      timeoutSeconds: TIMEOUT.ha,
      resultPath: '$.haRestore',
      retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2 }],
      next: 'Unstage',
      catchTo: 'Unstage',
      catchResultPath: '$.haRestoreError',
    }),
    Unstage: inlineMap({
      itemsPath: '$.cleanup.unstage',
      itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
      maxConcurrency: 0,
      processor: {
        StartAt: 'UnstageHost',
        States: {
          UnstageHost: deviceTask({
            kind: 'idrac.clear-stale-jobs',
            target: idrac,
            params: { force: false },
            step: { ...hostStepKey('unstage'), name: 'Remove staged firmware jobs' },
            timeoutSeconds: TIMEOUT.quick,
            catchTo: 'UnstageHostFailed',
          }),
          UnstageHostFailed: { Type: 'Succeed' },
        },
      },
      next: 'Finish',
      catchTo: 'Finish',
    }),
    // Decides completed / failed / cancelled from what the Store says happened, and names every host's state.
    Finish: jobOpsTask({ op: 'finish', resultPath: null }),
  };
  if (!rolling) {
    // A host outside a cluster has no DRS to evacuate it and no VMs that could block a move.
    states.ScanNeeded = {
      Type: 'Choice',
      Choices: [{ Variable: '$.ctx.inCluster', BooleanEquals: true, Next: 'ScanBlockers' }],
      Default: 'ApplyResolution',
    };
    states.ScanBlockers = scanBlockers({ next: 'Blockers', catchTo: cleanup });
  }
  if (rolling) {
    // Three things at once, none of which takes a host out of service: relax HA admission control, scan for
    // blockers (both vCenter, queued one after the other in its FIFO group) and back up every host's
    // configuration (SCP, one iDRAC each). A failure anywhere ends in Cleanup, which restores HA.
    states.Prepare = {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'RelaxHa',
          States: {
            RelaxHa: deviceTask({
              kind: 'cluster.ha-relax',
              ...onCluster(CLUSTER),
              step: { key: 'ha-relax', name: 'Relax HA admission control' },
              timeoutSeconds: TIMEOUT.ha,
              resultPath: '$.haRelax',
              outputPath: '$.haRelax',
            }),
          },
        },
        { StartAt: 'ScanBlockers', States: { ScanBlockers: scanBlockers({ outputPath: '$.scan' }) } },
        {
          StartAt: 'Backup',
          States: {
            Backup: inlineMap({
              itemsPath: '$.plan.hosts',
              itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
              maxConcurrency: 0,
              processor: { StartAt: 'ScpExport', States: { ScpExport: scpExport() } },
              outputPath: '$.jobId',
            }),
          },
        },
      ],
      // Each branch answers only its part (OutputPath), so the state carries no copies of itself.
      ResultSelector: { 'haRelax.$': '$[0]', 'scan.$': '$[1]' },
      ResultPath: '$.prepared',
      Next: 'Blockers',
      Catch: catchAll(cleanup),
    };
  }
  return {
    Comment: rolling
      ? 'RackOps rolling cluster firmware update (DESIGN §7)'
      : 'RackOps firmware update of one host (same per-host sequence)',
    StartAt: 'Begin',
    States: states,
  };
}
