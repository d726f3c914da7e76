import {
  type AslMachine,
  type AslState,
  catchAll,
  deviceTask,
  hostStepTemplate,
  inlineMap,
  jobOpsTask,
} from './asl';
import { TIMEOUT } from './timing';
import {
  idrac,
  CLUSTER,
  onCluster,
  pauseForResolution,
  scanBlockers,
  stageFirmware,
  scpExport,
} from './host-update/state-builders';
import { clearStaleJobsProcessor, preflightProcessor } from './host-update/preflight-processor';
import { hostProcessor } from './host-update/host-processor';
import { applyNowProcessor } from './host-update/apply-now-processor';
import type { HostUpdateVariant } from './host-update/variant';

export type { HostUpdateVariant } from './host-update/variant';

/**
 * The firmware-update state machine (DESIGN §7): the top level here, its per-host processors and shared state
 * builders in ./host-update/. See README.md in this folder for the states and every exit path.
 */
export function buildHostUpdateWorkflow(variant: HostUpdateVariant): AslMachine {
  const rolling = variant === 'rolling';
  const cleanup = 'Cleanup';
  const stageHost = stageFirmware({
    packages: 'packages',
    applyTime: 'OnReset',
    step: ['stage', 'Stage firmware (OnReset)'],
  });
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
      Choices: [{ Variable: '$.decision', StringEquals: 'proceed', Next: 'ClearStaleJobs' }],
      Default: 'Finish',
    },
    // Hosts whose stale iDRAC jobs the job's policy clears (usually none: the Map runs empty).
    ClearStaleJobs: inlineMap({
      itemsPath: '$.clearStale',
      itemSelector: { 'jobId.$': '$.jobId', 'hostId.$': '$$.Map.Item.Value' },
      maxConcurrency: 0,
      processor: clearStaleJobsProcessor(),
      next: rolling ? 'Prepare' : 'ScanNeeded',
      catchTo: cleanup,
    }),
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
    PauseForResolution: pauseForResolution({ next: 'ApplyResolution', catchTo: cleanup }),
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
      // Rolling: only the hosts with firmware to stage (`plan.stage`), so no Choice per host.
      itemsPath: rolling ? '$.plan.stage' : '$.plan.hosts',
      itemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
      maxConcurrency: 0,
      // The state carries host refs only: the dispatch takes each host's packages from its 'plan' item.
      processor: rolling
        ? { StartAt: 'StageHost', States: { StageHost: stageHost } }
        : {
            // The one-host update backs up here (the rolling update does it earlier, beside the HA relax and
            // the scan: Prepare).
            StartAt: 'ScpExport',
            States: {
              ScpExport: scpExport('StageNeeded'),
              StageNeeded: {
                Type: 'Choice',
                Choices: [{ Variable: '$.host.reboot', BooleanEquals: true, Next: 'StageHost' }],
                Default: 'StageNotNeeded',
              },
              StageHost: stageHost,
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
            step: { ...hostStepTemplate('unstage'), name: 'Remove staged firmware jobs' },
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
