import {
  type AslState,
  type DeviceTaskOptions,
  type JobOpsTaskOptions,
  deviceTask,
  hostStepTemplate,
  inlineMap,
  jobOpsTask,
} from '../asl';
import { HEARTBEAT, TIMEOUT } from '../timing';
import { PASS_OVER } from '../ops/begin-waits';

// The ASL state builders the host-update processors and machine share: device commands, checkpoints, loops.

/**
 * Commands about one host go to that host's FIFO group, even when vCenter does the work (maintenance mode, VM
 * power): the params name the vCenter. Targeting the vCenter would put every host of a batch in ONE group and
 * serialise the batch (and starve the queued commands of heartbeats).
 */
export const idrac = { type: 'idrac', 'id.$': '$.host.hostId' };
/** The host's ref fields ride in `$.host` (hostMoref/vcenterId absent outside vCenter); zod keeps only those. */
export const HOST = '$.host';

/**
 * `<prefix>Begin`: a JobOps op on a task token (ops/begin-waits.ts) that answers when the host may go (`$.begin.v`)
 * → `go`, or passes over it (PassOver, caught) → `pass` (Succeed). While it has to wait (its window, the
 * appliance's turn, the claim) it parks the token and an op that frees it wakes it: no Wait loop, no state.
 * A wake-up lost anyway (an op that died mid-look) is asked again when the wait times out.
 */
export function beginOrWait(o: {
  prefix: string;
  op: JobOpsTaskOptions['op'];
  go: string;
  pass: string;
  catchTo: string;
  /** Other ways in (an answer's `route`: error name → state; the answer's JSON in `$.beginRoute.Cause`). */
  routes?: Record<string, string>;
}): Record<string, AslState> {
  const begin = jobOpsTask({
    op: o.op,
    resultPath: '$.begin',
    next: o.go,
    catchTo: o.catchTo,
    waitForToken: { timeoutSeconds: TIMEOUT.beginWait },
  });
  return {
    [`${o.prefix}Begin`]: {
      ...begin,
      Retry: [
        ...(begin.Retry as unknown[]),
        { ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1000, BackoffRate: 1 },
      ],
      Catch: [
        { ErrorEquals: [PASS_OVER], Next: o.pass, ResultPath: null },
        ...Object.entries(o.routes ?? {}).map(([error, next]) => ({
          ErrorEquals: [error],
          Next: next,
          ResultPath: '$.beginRoute',
        })),
        ...(begin.Catch as unknown[]),
      ],
    },
    [o.pass]: { Type: 'Succeed' },
  };
}

/**
 * Power VMs off (before maintenance) or back on (after), in parallel: the list at `itemsPath` (the host
 * iteration's host-begin answer by default).
 */
export function vmPowerMap(
  name: string,
  state: 'on' | 'off',
  next: string,
  catchTo?: string,
  itemsPath = '$.begin.v.powerOff',
  resultPath: string | null = null,
): Record<string, AslState> {
  const inner = `${name}Vm`;
  return {
    [name]: inlineMap({
      itemsPath,
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
              ...hostStepTemplate(['vm', { path: '$.vm.vmId' }, `power-${state}`]),
              name: `Power ${state} VM`,
            },
            timeoutSeconds: TIMEOUT.vmPower,
            heartbeatSeconds: HEARTBEAT,
          }),
        },
      },
      next,
      catchTo,
      resultPath,
    }),
  };
}

/** Where a cluster's vCenter and its moref sit in the state. */
export const CLUSTER = { vcenterId: '$.ctx.cluster.vcenterId', moref: '$.ctx.cluster.moref' };

/** A command about a cluster: sent to its vCenter's FIFO group, naming the cluster, plus `more` params. */
export function onCluster(at: { vcenterId: string; moref: string }, more: Record<string, string> = {}) {
  return {
    target: { type: 'vcenter', 'id.$': at.vcenterId },
    params: { 'clusterMoref.$': at.moref, 'vcenterId.$': at.vcenterId, ...more },
  };
}

/**
 * Waits in place for the operator's blocker resolution (resume use-case → SendTaskSuccess, answered under
 * `$.resume`) or a cancel (task failure → `catchTo`). The update and the restore share it, and the card.
 */
export function pauseForResolution(o: { next: string; catchTo: string }): AslState {
  return jobOpsTask({
    op: 'pause',
    args: { kind: 'blockers', reason: 'blockers need a decision' },
    waitForToken: { timeoutSeconds: TIMEOUT.pause },
    resultPath: '$.resume',
    ...o,
  });
}

export function scanBlockers(o: { next?: string; catchTo?: string; outputPath?: string }): AslState {
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

/** firmware.stage of one host's packages: the list its 'plan' item names (filled in by the dispatch). */
export function stageFirmware(o: {
  packages: 'packages' | 'immediate';
  applyTime: 'OnReset' | 'Immediate';
  step: [key: string, name: string];
  next?: string;
  catchTo?: string;
}): AslState {
  return deviceTask({
    kind: 'firmware.stage',
    target: idrac,
    params: { applyTime: o.applyTime, transfer: 'simple' },
    fromPlan: { packages: o.packages },
    step: { ...hostStepTemplate(o.step[0]), name: o.step[1] },
    timeoutSeconds: TIMEOUT.stage,
    heartbeatSeconds: HEARTBEAT,
    next: o.next,
    catchTo: o.catchTo,
  });
}

/** SCP backup of one host (read-only for the host: the profile is stored on-prem). */
export function scpExport(next?: string): AslState {
  return deviceTask({
    kind: 'scp.export',
    target: idrac,
    // The backup record says why it was taken (the agent adds the job id).
    params: { target: 'ALL', format: 'JSON', reason: 'before firmware update' },
    step: { ...hostStepTemplate('scp-export'), name: 'SCP backup' },
    timeoutSeconds: TIMEOUT.scp,
    heartbeatSeconds: HEARTBEAT,
    next,
  });
}

type Flow = Pick<DeviceTaskOptions, 'next' | 'catchTo' | 'catchResultPath' | 'stopTo' | 'onlyIf'>;

/** host.enter-maintenance of the iteration's host (DRS evacuates); `paramsPath` gives the host ref and timeouts. */
export function enterMaintenance(o: Flow & { paramsPath: string }): AslState {
  return deviceTask({
    kind: 'host.enter-maintenance',
    target: idrac,
    step: { ...hostStepTemplate('enter-maintenance'), name: 'Enter maintenance mode' },
    timeoutSeconds: TIMEOUT.enterMaintenance,
    heartbeatSeconds: HEARTBEAT,
    ...o,
  });
}

/** host.exit-maintenance of the iteration's host (`$.host`); `name` says on which path (a card step name). */
export function exitMaintenance(o: Flow & { name?: string }): AslState {
  const { name, ...flow } = o;
  return deviceTask({
    kind: 'host.exit-maintenance',
    target: idrac,
    paramsPath: HOST,
    step: { ...hostStepTemplate('exit-maintenance'), name: name ?? 'Exit maintenance mode' },
    timeoutSeconds: TIMEOUT.exitMaintenance,
    heartbeatSeconds: HEARTBEAT,
    ...flow,
  });
}
