import { applyResolution, type AppliedResolution, resolveByPolicy } from '../../blockers/apply-resolution';
import { classifyVm, mergeBlockers, NEEDS_DECISION } from '../../blockers/classify';
import {
  HostResolution,
  RESOLUTION_ORDER_KEY,
  ResolutionOrder,
  ResumeTaskOutput,
} from '../../blockers/resolution.schema';
import type { Blocker } from '../../inventory/inventory.schema';
import type { Job } from '../../jobs/job.schema';
import { planRollout } from '../../planner/plan';
import { wavesOf, windowPlan } from './window-plan';
import { CommandOutputs } from '../../relay/commands';
import { RackOpsError } from '../../util/errors';
import { parseOrThrow } from '../../util/zod-errors';
import { HostUpdateParams } from '../params';
import { capacityInputs, getCluster, hostVms } from './inventory';
import type { OpsDeps } from './ops-deps';
import { details, getHost, log, putHost, putStep } from './progress';
import { HaRecord, type PowerOffVm, preparedAnswers, ScanOutput, TopState } from './state.schema';

export class JobCancelledError extends RackOpsError {
  constructor(message: string) {
    super('job_cancelled', message);
    this.name = 'JobCancelled';
  }
}

/** Record HA's original settings from the relax result: the device's word beats inventory's. */
async function recordHaRelaxed(
  deps: OpsDeps,
  jobId: string,
  raw: unknown,
  cluster: { moref: string; vcenterId: string },
) {
  const parsed = CommandOutputs['cluster.ha-relax'].safeParse(raw);
  if (!parsed.success) return;
  const prev = HaRecord.safeParse(await deps.store.getJobItem(jobId, 'note', 'ha'));
  // alreadyRelaxed: a re-run of the relax step (resume) or someone else relaxed it; keep what we saved first.
  const original = parsed.data.alreadyRelaxed && prev.success ? prev.data.original : parsed.data.original;
  await deps.store.putJobItem(jobId, 'note', 'ha', {
    status: 'relaxed',
    clusterMoref: cluster.moref,
    vcenterId: cluster.vcenterId,
    original,
    source: parsed.data.alreadyRelaxed && prev.success ? prev.data.source : 'device',
  } satisfies HaRecord);
  await putStep(deps, jobId, {
    key: 'ha-relax',
    name: 'Relax HA admission control',
    status: 'completed',
    message: `admission control relaxed (was: failover level ${original.failoverLevel}, admission control ${original.admissionControlEnabled ? 'on' : 'off'})`,
  });
}

/**
 * After the scan: blockers per host (scan + inventory facts), one blocker item per host, and the decision:
 * pause for an operator (interactive), apply the window policy (scheduled), or go on.
 */
export async function blockers(deps: OpsDeps, job: Job, raw: unknown): Promise<Record<string, unknown>> {
  const state = TopState.parse(raw);
  const ctx = state.ctx!;
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const answers = preparedAnswers(raw);
  if (ctx.cluster && answers.haRelax !== undefined)
    await recordHaRelaxed(deps, job.id, answers.haRelax, ctx.cluster);
  const scan = ScanOutput.safeParse(answers.scan);
  // A restore has no plan: its one host (from begin).
  const planned = state.plan?.hosts ?? ctx.hosts;
  const byHost: Record<string, Blocker[]> = {};
  // Hosts are independent: read and written together.
  await Promise.all(
    planned.map(async (h) => {
      const scanned = scan.success
        ? (scan.data.hosts.find((x) => x.hostId === h.hostId)?.blockers ?? [])
        : [];
      const facts = (await hostVms(deps.store, h.hostId)).flatMap((vm) => classifyVm(vm));
      const merged = mergeBlockers(scanned, facts);
      if (merged.length > 0) {
        byHost[h.hostId] = merged;
        await deps.store.putJobItem(job.id, 'blocker', h.hostId, { hostName: h.name, blockers: merged });
      }
    }),
  );
  const total = Object.values(byHost).flat();
  const critical = total.filter(NEEDS_DECISION);
  const summary = `${total.length} blocker(s) on ${Object.keys(byHost).length} host(s), ${critical.length} needing a decision`;
  await putStep(deps, job.id, {
    key: 'blocker-scan',
    name: 'Blocker scan',
    status: 'completed',
    message: summary,
  });
  await log(deps, job.id, critical.length ? 'warn' : 'info', `blocker scan: ${summary}`);
  for (const [hostId, bs] of Object.entries(byHost))
    for (const b of bs)
      await log(
        deps,
        job.id,
        b.severity === 'critical' ? 'warn' : 'info',
        `${b.vmName}: ${b.reason} (${b.severity})`,
        hostId,
      );
  await details(deps, job.id, {
    phase: 'blockers',
    blockers: total.length,
    criticalBlockers: critical.length,
  });
  const next = { ...state, scan: undefined, haRelax: undefined, prepared: undefined };
  if (critical.length === 0) return { ...next, blockerAction: 'go' };
  if (ctx.interactive) return { ...next, blockerAction: 'pause' };
  const policy = resolveByPolicy(byHost, params.blockerPolicy);
  if (policy.failed) {
    await log(deps, job.id, 'error', policy.failed);
    return { ...next, blockerAction: 'fail', failure: policy.failed };
  }
  for (const h of policy.hosts) {
    await deps.store.putJobItem(job.id, 'resolution', h.hostId, { ...h, resolutionId: 'policy' });
    await log(deps, job.id, 'warn', `window policy skip_host: ${h.hostId} is left out`, h.hostId);
  }
  return { ...next, blockerAction: 'go' };
}

/** Store the token (resume use-case reads it), pause the job, notify. A cancel already asked: don't pause. */
export async function pause(
  deps: OpsDeps,
  job: Job,
  req: { taskToken?: string; reason?: string; kind?: 'blockers' | 'approval' | 'operator' },
): Promise<{ paused: boolean }> {
  if (!req.taskToken) throw new RackOpsError('no_token', 'pause needs a task token');
  if (job.cancelRequested)
    throw new JobCancelledError(`cancel (${job.cancelRequested}) requested before the pause`);
  const reason = req.reason ?? 'waiting for an operator';
  await deps.store.putJobItem(job.id, 'token', 'resume', { taskToken: req.taskToken });
  await putStep(deps, job.id, {
    key: 'resolution',
    name: 'Blocker resolution',
    status: 'running',
    message: reason,
  });
  await details(deps, job.id, { phase: 'paused' });
  await log(deps, job.id, 'warn', `paused: ${reason}`);
  // The status change comes last: a card rendered from the paused job carries a version nothing else bumps.
  if (job.status === 'running') {
    await deps.store.transitionJob(job.id, {
      type: 'pause',
      actor: { kind: 'system', id: 'rackops' },
      reason,
      kind: req.kind ?? 'blockers',
    });
  }
  await deps.notifier.notify({ kind: 'job_paused', jobId: job.id, reason });
  return { paused: true };
}

/**
 * The resolution stored for this job (the operator's, or the window policy's), checked against the stored
 * blockers of `hostIds` and turned into actions; its notes logged. A forced resume overrides it.
 */
export async function resolveForHosts(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
  hostIds: readonly string[],
): Promise<{
  applied: AppliedResolution;
  vmsByHost: Map<string, Awaited<ReturnType<typeof hostVms>>>;
  resumed: boolean;
}> {
  const resume = ResumeTaskOutput.safeParse((raw as { resume?: unknown }).resume);
  const blockerItems = await deps.store.listJobItems<{ blockers: Blocker[] }>(job.id, 'blocker');
  const blockersByHost = Object.fromEntries(blockerItems.map((i) => [i.key, i.data.blockers]));
  const resolutionItems = await deps.store.listJobItems<unknown>(job.id, 'resolution');
  const hostResolutions = resolutionItems
    .filter((i) => i.key !== RESOLUTION_ORDER_KEY)
    .map((i) => HostResolution.parse(i.data));
  const order = ResolutionOrder.parse(
    resolutionItems.find((i) => i.key === RESOLUTION_ORDER_KEY)?.data ?? {},
  );

  const vmsByHost = new Map<string, Awaited<ReturnType<typeof hostVms>>>();
  await Promise.all(hostIds.map(async (id) => vmsByHost.set(id, await hostVms(deps.store, id))));
  let applied: AppliedResolution;
  if (resume.success && resume.data.forcedBy) {
    applied = {
      skipHostIds: [],
      powerOff: {},
      notes: [`forced on by ${resume.data.forcedBy.name ?? resume.data.forcedBy.id}`],
    };
  } else {
    applied = applyResolution(
      {
        blockers: blockersByHost,
        hostIds,
        vmIdsByHost: Object.fromEntries([...vmsByHost].map(([id, vms]) => [id, vms.map((v) => v.id)])),
      },
      hostResolutions.filter((h) => hostIds.includes(h.hostId)),
      order,
    );
  }
  for (const n of applied.notes) await log(deps, job.id, 'info', `resolution: ${n}`);
  return { applied, vmsByHost, resumed: resume.success };
}

/** The powered-on VMs among `vmIds` of one host, as the vm.power commands name them. */
export function vmsToPowerOff(
  vms: Awaited<ReturnType<typeof hostVms>>,
  vmIds: readonly string[],
): PowerOffVm[] {
  return vmIds.flatMap((id) => {
    const vm = vms.find((v) => v.id === id);
    return vm && vm.powerState === 'poweredOn'
      ? [{ vmId: vm.id, vmMoref: vm.moref, vcenterId: vm.vcenterId, name: vm.name }]
      : [];
  });
}

/** The blocker resolution step, done once the resume's resolution is applied. */
export async function resolutionDone(deps: OpsDeps, jobId: string, applied: AppliedResolution) {
  await putStep(deps, jobId, {
    key: 'resolution',
    name: 'Blocker resolution',
    status: 'completed',
    message: applied.notes.join('; ').slice(0, 2000) || 'resolved',
  });
}

/**
 * The resolution (operator's, or the window policy's) turned into the final plan: skipped hosts out, the
 * operator's order and batch size (checked against k again), and the VMs each host powers off.
 */
export async function applyResolutionOp(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<Record<string, unknown>> {
  const state = TopState.parse(raw);
  const ctx = state.ctx!;
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const plan = state.plan!;
  const { applied, vmsByHost, resumed } = await resolveForHosts(
    deps,
    job,
    raw,
    plan.hosts.map((h) => h.hostId),
  );

  let batches = wavesOf(plan);
  let last = new Set(plan.hosts.filter((h) => h.last).map((h) => h.hostId));
  let k = plan.k;
  let batchSize = plan.batchSize;
  const needsReplan = applied.skipHostIds.length > 0 || applied.hostOrder || applied.batchSize;
  if (needsReplan && ctx.inCluster && ctx.cluster) {
    const cluster = await getCluster(deps.store, ctx.cluster.id);
    if (!cluster) throw new RackOpsError('not_found', `cluster ${ctx.cluster.id} vanished from inventory`);
    const cap = await capacityInputs(deps.store, cluster);
    const known = new Set(cap.hosts.map((h) => h.hostId));
    const p = planRollout({
      hosts: cap.hosts,
      vms: cap.vms,
      failoverLevel: cap.failoverLevel,
      headroom: params.headroom,
      skipHostIds: [...new Set([...params.skipHostIds, ...applied.skipHostIds])].filter((id) =>
        known.has(id),
      ),
      updateHostIds: plan.hosts.map((h) => h.hostId),
      hostOrder: applied.hostOrder ?? params.hostOrder,
      batchSize: job.type === 'firmware_update' ? 1 : (applied.batchSize ?? params.batchSize),
      forcedBy: applied.forcedBy ?? params.forcedBy,
    });
    const byId = new Map(plan.hosts.map((h) => [h.hostId, h]));
    batches = p.batches.map((b) => b.map((id) => byId.get(id)!));
    last = new Set(p.last);
    k = p.k;
    batchSize = p.batchSize;
    for (const n of p.notes) await log(deps, job.id, 'info', `plan: ${n}`);
  }
  for (const id of applied.skipHostIds) {
    const item = await getHost(deps, job.id, id);
    await putHost(deps, job.id, {
      ...(item ?? { hostId: id }),
      phase: 'skipped',
      state: 'skipped by the resolution; untouched',
    });
  }
  for (const [hostId, vmIds] of Object.entries(applied.powerOff)) {
    const powerOff = vmsToPowerOff(vmsByHost.get(hostId) ?? [], vmIds);
    const item = await getHost(deps, job.id, hostId);
    await putHost(deps, job.id, { ...(item ?? { hostId, phase: 'pending' }), powerOff });
  }
  const hosts = batches.flat();
  if (resumed) await resolutionDone(deps, job.id, applied);
  await putStep(deps, job.id, {
    key: 'plan',
    name: 'Plan',
    status: 'completed',
    message: `k=${k}, batch size ${batchSize}: ${batches.map((b, i) => `batch ${i + 1} [${b.map((h) => h.hostId).join(', ')}]`).join('; ')}`,
  });
  await putStep(deps, job.id, {
    key: 'stage',
    name: 'Stage firmware (OnReset)',
    status: hosts.length ? 'running' : 'skipped',
  });
  await details(deps, job.id, {
    phase: 'staging',
    k,
    batchSize,
    batches: batches.length,
    hostsToUpdate: hosts.length,
  });
  return { ...state, resume: undefined, plan: windowPlan(k, batchSize, batches, last) };
}
