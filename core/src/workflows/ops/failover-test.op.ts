import { z } from 'zod';
import { FailoverTestParams } from '../../failover/failover-test.schema';
import { drVmStepKey } from '../../jobs/job-step';
import { type Actor, type Job, isTerminal } from '../../jobs/job.schema';
import { DrCommandOutputs } from '../../relay/dr-commands';
import { ZfsDrCommandOutputs } from '../../relay/zfs-commands';
import { createProtectionGroupStore } from '../../replication/protection-group-store';
import { secondsBetween } from '../../util/duration';
import { RackOpsError, ValidationError } from '../../util/errors';
import { parseOrThrow } from '../../util/zod-errors';
import type { Fact } from '../command-result';
import { buildJobReport } from '../job-report';
import type { OpsDeps } from './ops-deps';
import { details, errorText, log, putStep } from './progress';
import { finishWithReport } from './report-finish';

const _SYSTEM: Actor = { kind: 'system', id: 'rackops' };
type AslError = { Error?: string; Cause?: string };

function groupName(job: Job): string {
  if (job.target.kind !== 'protection_group')
    throw new ValidationError('failover_test targets a protection group');
  return job.target.id;
}

/**
 * Begin of `failover_test`: the group as the Store holds it now, which must have a replica on its target; the
 * state carries what every later step needs (nothing is read from the job's params twice).
 */
export async function beginFailoverTest(deps: OpsDeps, job: Job): Promise<Record<string, unknown>> {
  const name = groupName(job);
  const params = parseOrThrow(FailoverTestParams, job.params, 'failover_test params');
  const g = (await createProtectionGroupStore(deps.store).get(name))?.value;
  if (!g) throw new RackOpsError('not_found', `protection group ${name} does not exist`);
  if (!g.lastReplica)
    throw new RackOpsError('no_replica', `protection group ${name} has no replica on its target yet`);
  await log(
    deps,
    job.id,
    'info',
    `test failover of ${name}: clone of ${g.target.appliance}:${g.target.dataset} at ${g.target.vcenterId}, ${params.vms.length} VM(s) on port group ${params.portGroup}; replication goes on meanwhile`,
  );
  await details(deps, job.id, {
    phase: 'cloning',
    group: name,
    vms: params.vms.map((n) => ({ name: n, state: 'pending' })),
  });
  return {
    jobId: job.id,
    ft: {
      group: name,
      targetAppliance: g.target.appliance,
      vcenterId: g.target.vcenterId,
      clone: { group: name, dataset: g.target.dataset },
      params,
    },
  };
}

const Ft = z.object({
  group: z.string(),
  targetAppliance: z.string(),
  vcenterId: z.string(),
  params: FailoverTestParams,
});

/** After the clone: the datastore it becomes at DR and one item per VM (its `.vmx` in the clone). */
export async function planFailoverTest(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<Record<string, unknown>> {
  const state = z.looseObject({ ft: Ft, clone: ZfsDrCommandOutputs['zfs.clone'] }).parse(raw);
  const { ft, clone } = state;
  // The clone's own name (`rackops-test-<group>-<stamp>`) is the datastore's: only such are ever unmounted.
  const datastore = clone.clone.slice(clone.clone.lastIndexOf('/') + 1);
  await log(
    deps,
    job.id,
    'info',
    `cloned ${clone.origin} to ${clone.clone}; mounting it at ${ft.vcenterId} as ${datastore}`,
  );
  await details(deps, job.id, { phase: 'registering', clone: clone.clone, origin: clone.origin, datastore });
  const vms = ft.params.vms.map((name) => ({
    name,
    vcenterId: ft.vcenterId,
    portGroup: ft.params.portGroup,
    toolsTimeoutSeconds: ft.params.toolsTimeoutSeconds,
    register: {
      vcenterId: ft.vcenterId,
      vmxPath: `[${datastore}] ${name}/${name}.vmx`,
      name: `${name}-test`,
      resourcePoolMoref: ft.params.resourcePoolMoref,
    },
  }));
  return {
    ...state,
    mount: {
      vcenterId: ft.vcenterId,
      hostMorefs: ft.params.hostMorefs,
      name: datastore,
      remoteHost: ft.params.nfsServer,
      remotePath: clone.mountpoint,
    },
    vms,
  };
}

export const VmTestResult = z.object({
  name: z.string(),
  vcenterId: z.string(),
  vmxPath: z.string(),
  vmMoref: z.string().optional(),
  ready: z.boolean(),
  error: z.string().optional(),
});
export type VmTestResult = z.infer<typeof VmTestResult>;

const VmItem = z.looseObject({
  vm: z.object({
    name: z.string(),
    vcenterId: z.string(),
    toolsTimeoutSeconds: z.number(),
    register: z.object({ vmxPath: z.string() }),
  }),
  reg: DrCommandOutputs['vm.register'].optional(),
  tools: DrCommandOutputs['vm.tools-status'].optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** One VM's outcome: up with a Tools heartbeat, up without one in its time, or failed at a named step. */
export async function vmTestDone(deps: OpsDeps, job: Job, raw: unknown): Promise<VmTestResult> {
  const item = VmItem.parse(raw);
  const { vm } = item;
  const ready = item.error === undefined && item.tools?.allReady === true;
  const error = item.error
    ? errorText(item.error as AslError)
    : ready
      ? undefined
      : `no VMware Tools heartbeat within ${vm.toolsTimeoutSeconds} s`;
  const state = ready ? 'up' : item.error ? 'failed' : 'no-tools';
  await putStep(deps, job.id, {
    key: drVmStepKey(vm.name),
    name: `VM ${vm.name}`,
    status: ready ? 'completed' : 'failed',
    message: ready ? `up at DR as ${item.reg?.name ?? vm.name} (Tools heartbeat)` : (error ?? state),
  });
  await log(deps, job.id, ready ? 'info' : 'warn', `${vm.name}: ${ready ? 'up, Tools heartbeat' : error}`);
  return {
    name: vm.name,
    vcenterId: vm.vcenterId,
    vmxPath: vm.register.vmxPath,
    ...(item.reg ? { vmMoref: item.reg.vmMoref } : {}),
    ready,
    ...(error ? { error: error.slice(0, 500) } : {}),
  };
}

const vmState = (r: VmTestResult) => (r.ready ? 'up' : r.vmMoref ? 'no-tools' : 'failed');

/** The report before the pause: each VM's state on the card, and the job waits for *Clean up*. */
export async function failoverTestReport(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const results = z.array(VmTestResult).parse((raw as { results?: unknown }).results);
  const up = results.filter((r) => r.ready).length;
  await details(deps, job.id, {
    phase: 'testing',
    vms: results.map((r) => ({ name: r.name, state: vmState(r), ...(r.error ? { error: r.error } : {}) })),
    vmsUp: up,
  });
  await log(deps, job.id, 'info', `${up} of ${results.length} VM(s) up at DR; waiting for Clean up`);
  return { ok: true };
}

/**
 * What clean-up undoes, from what the run got to: the VMs that were registered, the datastore once it was
 * planned (unmounting one never mounted is a no-op), the clone once it was made.
 */
export async function failoverTestCleanupPlan(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<Record<string, unknown>> {
  const r = (raw ?? {}) as Record<string, unknown>;
  const results = z.array(VmTestResult).safeParse(r.results);
  const clone = ZfsDrCommandOutputs['zfs.clone'].safeParse(r.clone);
  const mount = z
    .object({ vcenterId: z.string(), hostMorefs: z.array(z.string()), name: z.string() })
    .safeParse(r.mount);
  const group = (r.ft as { group?: unknown } | undefined)?.group;
  const vms = (results.success ? results.data : []).flatMap((v) =>
    v.vmMoref
      ? [
          {
            name: v.name,
            vcenterId: v.vcenterId,
            unregister: { vcenterId: v.vcenterId, vmMoref: v.vmMoref, vmxPath: v.vmxPath },
          },
        ]
      : [],
  );
  const why = r.error ? 'after a failure' : r.pauseEnd ? 'the pause ended (cancel or timeout)' : 'on request';
  await log(
    deps,
    job.id,
    'info',
    `cleaning up ${why}: ${vms.length} VM(s), datastore ${mount.success ? mount.data.name : 'none'}, clone ${clone.success ? clone.data.clone : 'none'}`,
  );
  await details(deps, job.id, { phase: 'cleaning-up' });
  return {
    vms,
    ...(mount.success
      ? {
          unmount: {
            vcenterId: mount.data.vcenterId,
            hostMorefs: mount.data.hostMorefs,
            name: mount.data.name,
          },
        }
      : {}),
    ...(clone.success && typeof group === 'string' ? { destroy: { group, clone: clone.data.clone } } : {}),
  };
}

/** The end: completed when the test ran and everything it made is gone; failed, naming each problem, else. */
export async function finishFailoverTest(deps: OpsDeps, job: Job, raw: unknown): Promise<{ status: string }> {
  if (isTerminal(job.status)) return { status: job.status };
  const r = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (r.error) problems.push(`test failed: ${errorText(r.error as AslError)}`);
  for (const [key, what] of [
    ['cleanupError', 'clean-up plan'],
    ['unregisterError', 'unregister'],
    ['unmountError', 'unmount the datastore'],
    ['destroyError', 'destroy the clone'],
  ] as const)
    if (r[key]) problems.push(`${what} failed: ${errorText(r[key] as AslError)}`);
  const unregistered = Array.isArray(r.unregistered) ? r.unregistered : [];
  for (const u of unregistered)
    if (u && typeof u === 'object' && 'Error' in u)
      problems.push(`unregister failed: ${errorText(u as AslError)}`);
  const results = z.array(VmTestResult).safeParse(r.results);
  const vms = results.success ? results.data : [];
  const up = vms.filter((v) => v.ready).length;
  const clone = ZfsDrCommandOutputs['zfs.clone'].safeParse(r.clone);
  const facts: Fact[] = [
    ...(clone.success
      ? [{ title: 'Replica tested', value: `${clone.data.origin} (clone ${clone.data.clone})` }]
      : []),
    ...vms.map((v) => ({
      title: v.name,
      value: v.ready ? 'up at DR, Tools heartbeat' : (v.error ?? 'failed'),
    })),
    {
      title: 'Cleaned up',
      value: `${unregistered.length - problems.filter((p) => p.startsWith('unregister')).length} VM(s) unregistered; datastore ${r.unmounted ? 'unmounted' : 'none mounted'}; clone ${r.destroyed ? 'destroyed' : 'none made'}`,
    },
  ];
  const outcome = problems.length > 0 ? 'failed' : 'completed';
  const report = buildJobReport({
    outcome,
    problems,
    hosts: [],
    command: { summary: `test failover: ${up} of ${vms.length} VM(s) up at DR, cleaned up`, facts },
    ...(job.startedAt
      ? { durationSeconds: secondsBetween(job.startedAt, deps.clock.now().toISOString()) }
      : {}),
  });
  await finishWithReport(deps, job, report, { phase: outcome, vmsUp: up });
  return { status: outcome };
}
