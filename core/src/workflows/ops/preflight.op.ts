import { createCatalogMatcher } from '../../catalog/catalog-match';
import { systemIdHex } from '../../catalog/catalog.schema';
import type { Job } from '../../jobs/job.schema';
import { planRollout } from '../../planner/plan';
import { parseOrThrow } from '../../util/zod-errors';
import { HostUpdateParams } from '../params';
import { appliedName } from '../firmware-name';
import { evaluatePreflightHost, splitByReboot, updatesForHost } from '../preflight';
import { reportOfflineAgents } from './agent-offline';
import { capacityInputs, getCluster } from './inventory';
import type { OpsDeps } from './ops-deps';
import { details, getHost, log, putHost, putStep } from './progress';
import { putHostPlans } from './host-plan.op';
import { windowPlan } from './window-plan';
import { PreflightHostResult, PreflightHostState, type PlanHost, TopState } from './state.schema';

/** One host's preflight: evaluated from the device answers of this iteration; firmware kept in its host item. */
export async function preflightHost(deps: OpsDeps, job: Job, raw: unknown): Promise<PreflightHostResult> {
  const s = PreflightHostState.parse(raw);
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const inCluster = job.type === 'rolling_cluster_update' || Boolean(s.host.hostMoref);
  const ev = evaluatePreflightHost(s, { inCluster, staleJobs: params.staleJobs });
  const prev = await getHost(deps, job.id, s.host.hostId);
  await putHost(deps, job.id, {
    ...(prev ?? {}),
    hostId: s.host.hostId,
    name: s.host.name,
    phase: 'pending',
    systemId: ev.systemId,
    model: ev.model,
    firmware: ev.firmware,
    problems: ev.problems,
  });
  for (const p of ev.problems)
    await log(deps, job.id, 'error', `preflight ${s.host.hostId}: ${p}`, s.host.hostId);
  // The first commands a job sends: on a fresh install with no agent running, this is where it shows.
  if (s.error?.Error === 'States.HeartbeatTimeout') await reportOfflineAgents(deps, job);
  if (ev.clearStaleJobs)
    await log(deps, job.id, 'warn', 'clearing stale iDRAC jobs (job policy)', s.host.hostId);
  return {
    jobId: job.id,
    hostId: s.host.hostId,
    ok: ev.problems.length === 0,
    problems: ev.problems,
    clearStaleJobs: ev.clearStaleJobs,
  };
}

const fail = async (deps: OpsDeps, job: Job, state: Record<string, unknown>, why: string) => {
  await putStep(deps, job.id, { key: 'preflight', name: 'Preflight checks', status: 'failed', message: why });
  await details(deps, job.id, { phase: 'preflight_failed', failure: why.slice(0, 1000) });
  await log(deps, job.id, 'error', `preflight failed: ${why}`);
  return { ...state, pre: undefined, decision: 'fail', failure: why };
};

/**
 * All hosts' verdicts, the catalog read now, and the plan. Decides: proceed, nothing to do (complete early
 * and say so), or fail (naming every problem). Nothing has been touched yet on any path out of here.
 */
export async function preflight(deps: OpsDeps, job: Job, raw: unknown): Promise<Record<string, unknown>> {
  const state = TopState.parse(raw);
  const ctx = state.ctx!;
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const results = PreflightHostResult.array().parse((raw as { pre?: unknown }).pre ?? []);
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.hostId}: ${p}`));
  if (problems.length > 0) return fail(deps, job, state, problems.join('; '));
  if (!deps.catalog) return fail(deps, job, state, 'no firmware catalog is configured');

  // Host items first: the catalog is then read for these hosts' models only (a full catalog is ≈ 60 MB).
  const items = await Promise.all(ctx.hosts.map((ref) => getHost(deps, job.id, ref.hostId)));
  const systemIds = items.flatMap((i) => (i?.systemId === undefined ? [] : [systemIdHex(i.systemId)]));
  let loaded: Awaited<ReturnType<NonNullable<OpsDeps['catalog']>['load']>>;
  try {
    loaded = await deps.catalog.load(job, { systemIds });
  } catch (err) {
    return fail(
      deps,
      job,
      state,
      `catalog not reachable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const matcher = createCatalogMatcher(loaded.catalog);
  const unknown: string[] = [];
  // Hosts are independent: read and written together; the plan keeps the context's order.
  const evaluated = await Promise.all(
    ctx.hosts.map(async (ref, i): Promise<PlanHost | undefined> => {
      const item = items[i];
      const u = updatesForHost(matcher, loaded.catalog, loaded.url, {
        hostId: ref.hostId,
        systemId: item?.systemId,
        model: item?.model,
        firmware: item?.firmware ?? [],
      });
      if (u.unknown) {
        unknown.push(`${ref.hostId}: ${u.unknown}`);
        return undefined;
      }
      // Firmware is only needed until here; the host item stays small from now on.
      const next = { ...(item ?? { hostId: ref.hostId }), firmware: undefined, packages: u.packages };
      if (u.packages.length === 0) {
        await putHost(deps, job.id, { ...next, phase: 'no_update', state: 'already compliant; untouched' });
        return undefined;
      }
      await putHost(deps, job.id, { ...next, phase: 'pending' });
      const split = splitByReboot({ packages: u.packages, expected: u.expected });
      return {
        ...ref,
        ...split,
        reboot: split.packages.length > 0,
        hasImmediate: split.immediate.length > 0,
      };
    }),
  );
  const planHosts = evaluated.filter((h): h is PlanHost => h !== undefined);
  if (unknown.length > 0) return fail(deps, job, state, `compliance unknown: ${unknown.sort().join('; ')}`);
  const catalogName = loaded.catalog.version ?? loaded.catalog.releaseId ?? loaded.url ?? 'the catalog';
  await putStep(deps, job.id, {
    key: 'preflight',
    name: 'Preflight checks',
    status: 'completed',
    message: `${ctx.hosts.length} host(s) ready; ${planHosts.length} need updates from ${catalogName}`,
  });
  if (planHosts.length === 0) {
    const why = `nothing to update: all ${ctx.hosts.length} host(s) already match ${catalogName}`;
    await log(deps, job.id, 'info', why);
    await details(deps, job.id, { phase: 'nothing_to_do' });
    return { ...state, pre: undefined, decision: 'nothing', summary: why };
  }
  for (const h of planHosts)
    await log(
      deps,
      job.id,
      'info',
      `${h.packages.length + h.immediate.length} update(s): ${[...h.packages, ...h.immediate].map(appliedName).join(', ')}`,
      h.hostId,
    );

  let plan: { k: number; batchSize: number; batches: string[][]; last: string[]; notes: string[] };
  if (ctx.inCluster && ctx.cluster) {
    const cluster = await getCluster(deps.store, ctx.cluster.id);
    if (!cluster) return fail(deps, job, state, `cluster ${ctx.cluster.id} vanished from inventory`);
    const cap = await capacityInputs(deps.store, cluster);
    const known = new Set(cap.hosts.map((h) => h.hostId));
    try {
      plan = planRollout({
        hosts: cap.hosts,
        vms: cap.vms,
        failoverLevel: cap.failoverLevel,
        headroom: params.headroom,
        skipHostIds: params.skipHostIds.filter((id) => known.has(id)),
        updateHostIds: planHosts.map((h) => h.hostId),
        hostOrder: params.hostOrder?.filter((id) => known.has(id)),
        batchSize: job.type === 'firmware_update' ? 1 : params.batchSize,
        forcedBy: params.forcedBy,
      });
    } catch (err) {
      return fail(deps, job, state, err instanceof Error ? err.message : String(err));
    }
    if (job.type === 'rolling_cluster_update') {
      // Saved before RelaxHa runs, so cleanup can restore even if the relax result never comes back.
      if (cluster.ha) {
        await deps.store.putJobItem(job.id, 'note', 'ha', {
          status: 'relaxing',
          clusterMoref: cluster.moref,
          vcenterId: cluster.vcenterId,
          original: cluster.ha,
          source: 'inventory',
        });
      }
    }
  } else {
    // Outside a cluster: one host at a time.
    plan = { k: 1, batchSize: 1, batches: planHosts.map((h) => [h.hostId]), last: [], notes: [] };
  }
  const byId = new Map(planHosts.map((h) => [h.hostId, h]));
  const batches = plan.batches.map((b) => b.map((id) => byId.get(id)!));
  const planText = `k=${plan.k}, batch size ${plan.batchSize}: ${plan.batches.map((b, i) => `batch ${i + 1} [${b.join(', ')}]`).join('; ')}`;
  // Independent items, written together (this op is on the way to the first host's window). Each host's
  // firmware is a job item: the state carries host refs only (Step Functions' 256 KiB limit).
  await Promise.all([
    putStep(deps, job.id, { key: 'plan', name: 'Plan', status: 'completed', message: planText }),
    log(deps, job.id, 'info', `plan: ${planText}${plan.notes.length ? ` (${plan.notes.join('; ')})` : ''}`),
    details(deps, job.id, {
      phase: 'planned',
      k: plan.k,
      batchSize: plan.batchSize,
      batches: plan.batches.length,
    }),
    params.dryRun ? undefined : putHostPlans(deps, job.id, planHosts),
  ]);
  if (params.dryRun) {
    // A dry run ends here, before HA is touched: the report is the plan.
    if (job.type === 'rolling_cluster_update') await deps.store.deleteJobItem(job.id, 'note', 'ha');
    return {
      ...state,
      pre: undefined,
      decision: 'nothing',
      summary: `dry run, nothing changed; would update ${planText}`,
    };
  }
  return {
    ...state,
    pre: undefined,
    decision: 'proceed',
    // The ClearStaleJobs Map's items: hosts whose stale iDRAC jobs the policy clears, before anything is staged.
    clearStale: results.filter((r) => r.clearStaleJobs).map((r) => r.hostId),
    plan: windowPlan(plan.k, plan.batchSize, batches, new Set(plan.last)),
  };
}
