import { REPORT_NOTE_KEY, type ReportHost } from '../../jobs/job-report.schema';
import { parseHostStepKey } from '../../jobs/job-step';
import { type Actor, type Job, type JobStep, isTerminal } from '../../jobs/job.schema';
import type { JobEvent } from '../../jobs/lifecycle';
import type { HaSettings } from '../../inventory/inventory.schema';
import { CommandOutputs } from '../../relay/commands';
import type { z } from 'zod';
import { summarizeInventoryRun } from '../../inventory/ingest-report';
import { recordHardwareHealth } from '../../usecases/hardware-health';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../usecases/health-thresholds';
import { secondsBetween } from '../../util/duration';
import { describeCommandResult, type Fact } from '../command-result';
import { scpRestoreProblem } from '../scp-result-text';
import { type HostTiming, hostOutcome, stillInMaintenance } from '../host-outcome';
import { buildJobReport, reportText } from '../job-report';
import { settleOccurrence } from '../../windows/occurrence-settle';
import { reportOfflineAgents } from './agent-offline';
import { listApplyNow } from './apply-now.op';
import { WINDOW_END_REASON } from './hosts.op';
import type { OpsDeps } from './ops-deps';
import { details, errorText, listHosts, log, putStep } from './progress';
import { HaRecord, preparedAnswers, type StepError, TopState } from './state.schema';

const SYSTEM: Actor = { kind: 'system', id: 'rackops' };

/**
 * Every exit after preflight: restore HA if RackOps relaxed it (record saved before the relax; the relax
 * result itself as a fallback), and remove staged-but-unapplied firmware jobs from hosts that were not
 * updated, so a later unplanned reboot does not apply firmware nobody is watching.
 */
export async function cleanupPlan(deps: OpsDeps, job: Job, raw: unknown): Promise<Record<string, unknown>> {
  const state = TopState.parse(raw);
  const ctx = state.ctx;
  await putStep(deps, job.id, { key: 'cleanup', name: 'Clean up (restore HA)', status: 'running' });
  let ha: { clusterMoref: string; vcenterId: string; settings: z.infer<typeof HaSettings> } | undefined;
  const rec = HaRecord.safeParse(await deps.store.getJobItem(job.id, 'note', 'ha'));
  if (rec.success && rec.data.status !== 'restored' && rec.data.status !== 'saved') {
    ha = { clusterMoref: rec.data.clusterMoref, vcenterId: rec.data.vcenterId, settings: rec.data.original };
  } else if (!rec.success && ctx?.cluster) {
    const relax = CommandOutputs['cluster.ha-relax'].safeParse(preparedAnswers(raw).haRelax);
    if (relax.success)
      ha = {
        clusterMoref: ctx.cluster.moref,
        vcenterId: ctx.cluster.vcenterId,
        settings: relax.data.original,
      };
  }
  const hosts = await listHosts(deps, job.id);
  const planned = new Set((state.plan?.hosts ?? []).map((h) => h.hostId));
  const unstage = hosts
    .filter((h) => planned.has(h.hostId) && h.phase !== 'updated')
    .map((h) => ({ hostId: h.hostId }));
  if (ha) await log(deps, job.id, 'info', 'restoring HA admission control to the saved settings');
  return { ...state, cleanup: { restoreHa: Boolean(ha), ...(ha ? { ha } : {}), unstage } };
}

/** How long each host was worked on, from its window step and its in-service step. */
function hostTimings(steps: readonly JobStep[]): Map<string, HostTiming> {
  const out = new Map<string, HostTiming>();
  for (const st of steps) {
    const key = parseHostStepKey(st.key);
    const inService = key?.rest.length === 1 && key.rest[0] === 'apply-now';
    const seconds = secondsBetween(st.startedAt, st.completedAt);
    if (!key || !(key.rest.length === 0 || inService) || seconds === undefined) continue;
    const t = out.get(key.hostId) ?? {};
    if (inService) t.inServiceSeconds = seconds;
    else t.windowSeconds = seconds;
    out.set(key.hostId, t);
  }
  return out;
}

/** A restore run in maintenance mode says so on its card: entered for the import, and left (or not). */
function maintenanceFact(raw: unknown, steps: readonly JobStep[]): Fact | undefined {
  if ((raw as { maintenance?: unknown }).maintenance !== true) return undefined;
  const step = (what: string) => steps.find((st) => st.key.endsWith(`:${what}`));
  if (step('enter-maintenance')?.status !== 'completed') return undefined;
  const left = step('exit-maintenance')?.status === 'completed';
  return {
    title: 'Maintenance mode',
    value: left ? 'entered for the import, left after it' : 'entered; NOT left: exit it by hand',
  };
}

/** What the job is called when it is run again (what to do next after a cancel or a failure). */
function rerunCommand(job: Job, state: TopState): string | undefined {
  if (job.type === 'rolling_cluster_update' && state.ctx?.cluster)
    return `update cluster ${state.ctx.cluster.name}`;
  if (job.type === 'firmware_update') return `update host ${job.target.id}`;
  return undefined;
}

/**
 * The end of every workflow: decide completed / failed / cancelled from what happened (the Store's host items,
 * the state's error, the cancel request), keep the report (job item note/report: the card lays it out) and its
 * text (the job's summary), and tell people in one line.
 */
export async function finish(deps: OpsDeps, job: Job, raw: unknown): Promise<{ status: string }> {
  const state = TopState.parse(raw);
  const r = raw as {
    failure?: unknown;
    summary?: unknown;
    cleanup?: { restoreHa?: boolean };
    exitError?: unknown;
  };
  if (isTerminal(job.status)) return { status: job.status };
  const problems: string[] = [];
  const [items, applyNow, steps] = await Promise.all([
    listHosts(deps, job.id),
    listApplyNow(deps, job.id),
    deps.store.listSteps(job.id),
  ]);
  const timings = hostTimings(steps);
  const hosts = items
    .sort((a, b) => a.hostId.localeCompare(b.hostId))
    .map((h) => hostOutcome(h, applyNow.get(h.hostId), timings.get(h.hostId)));
  const cancelled = Boolean(job.cancelRequested) || state.error?.Error === 'JobCancelled';
  if (state.error && state.error.Error !== 'JobCancelled') problems.push(errorText(state.error));
  if (typeof r.failure === 'string') problems.push(r.failure);
  // A restore's host that could not leave maintenance mode: out of the cluster's capacity until someone acts.
  if (r.exitError !== undefined)
    problems.push(
      `the host is still in maintenance mode (${errorText(r.exitError as StepError)}): exit it by hand`,
    );
  const unverified = scpRestoreProblem(state.command as { kind?: string } | undefined, state.result);
  if (unverified) problems.push(unverified);
  const haText = await haOutcome(deps, job, raw, r.cleanup?.restoreHa === true);
  if (haText.unsafe) problems.push(haText.text);
  const failedHosts = hosts.filter((h) => h.status === 'failed' || h.status === 'interrupted');

  // Anything that went wrong beats a cancel: the operator must see the failure.
  const outcome: 'completed' | 'failed' | 'cancelled' =
    problems.length > 0 || failedHosts.length > 0 ? 'failed' : cancelled ? 'cancelled' : 'completed';

  const inventory =
    job.type === 'inventory_sync' ? await summarizeInventoryRun(deps.store, job.id) : undefined;
  // A hardware health read is kept for `health` and raises host_unhealthy when the host turns critical.
  const hardware =
    (state.command as { kind?: string } | undefined)?.kind === 'inventory.health'
      ? CommandOutputs['inventory.health'].safeParse(state.result)
      : undefined;
  // A read that failed is kept too: `health` then says the iDRAC did not answer, and why.
  const failedRead =
    hardware && !hardware.success && state.error && state.error.Error !== 'JobCancelled'
      ? {
          hostId: job.target.id,
          readAt: deps.clock.now().toISOString(),
          parts: [],
          sel: [],
          lifecycleLog: [],
          warnings: [],
          unreachable: errorText(state.error).slice(0, 500),
        }
      : undefined;
  const healthRead = hardware?.success ? hardware.data : failedRead;
  if (healthRead)
    await recordHardwareHealth(deps, healthRead, {
      thresholds: DEFAULT_HEALTH_THRESHOLDS,
      ...(job.conversationId ? { conversationId: job.conversationId } : {}),
    });
  const command =
    state.command !== undefined
      ? describeCommandResult(state.command as { kind?: string }, state.result, inventory)
      : undefined;
  const maintenance = maintenanceFact(raw, steps);
  if (command && maintenance) command.facts.push(maintenance);
  const rerun = rerunCommand(job, state);
  const report = buildJobReport({
    outcome,
    ...(job.cancelRequested ? { cancelMode: job.cancelRequested } : {}),
    ...(state.decision === 'nothing' ? { nothing: String(r.summary ?? 'nothing to update') } : {}),
    problems,
    hosts,
    ...(haText.text ? { ha: { restored: !haText.unsafe, text: haText.text } } : {}),
    ...(job.startedAt
      ? { durationSeconds: secondsBetween(job.startedAt, deps.clock.now().toISOString()) }
      : {}),
    ...(command && state.result !== undefined && state.result !== null ? { command } : {}),
    ...(rerun ? { rerun } : {}),
    ...(inventory?.held && (job.target.kind === 'vcenter' || job.target.kind === 'ome')
      ? {
          inventoryDrop: {
            source: job.target.kind,
            sourceId: job.target.id,
            drops: inventory.held.drops,
            totals: inventory.held.totals,
          },
        }
      : {}),
  });
  const summary = reportText(report).slice(0, 8000);
  await deps.store.putJobItem(job.id, 'note', REPORT_NOTE_KEY, JSON.parse(JSON.stringify(report)));

  if (state.command !== undefined) {
    const kind = (state.command as { kind?: string }).kind ?? 'command';
    // A restore's command step waits as pending until the command is sent (after maintenance mode): a job that
    // stopped before (a cancel at the blocker pause, a failed enter) never ran it, and the card must not show
    // it failed.
    const ran = steps.some((st) => st.key === 'command' && st.status !== 'pending');
    await putStep(deps, job.id, {
      key: 'command',
      name: kind,
      status: !ran ? 'skipped' : outcome === 'completed' ? 'completed' : 'failed',
      message: ran ? report.summary : `not run: the job ended (${outcome}) before it`,
    });
  } else
    await putStep(deps, job.id, {
      key: 'cleanup',
      name: 'Clean up (restore HA)',
      status: haText.unsafe ? 'failed' : 'completed',
      message: haText.text || 'nothing to restore',
    });
  await putStep(deps, job.id, {
    key: 'report',
    name: 'Report',
    status: 'completed',
    message: report.summary,
  });
  await log(
    deps,
    job.id,
    outcome === 'completed' ? 'info' : outcome === 'cancelled' ? 'warn' : 'error',
    // The text starts with the outcome ("completed: 3 hosts updated, …").
    `job ${summary}`,
  );
  await details(deps, job.id, {
    phase: outcome,
    hosts: Object.fromEntries(items.map((h) => [h.hostId, h.phase])),
  });
  const event: JobEvent =
    outcome === 'completed'
      ? { type: 'complete', actor: SYSTEM, summary }
      : outcome === 'cancelled'
        ? { type: 'cancel', actor: SYSTEM, reason: summary }
        : { type: 'fail', actor: SYSTEM, error: summary, summary };
  const fresh = await deps.store.getJob(job.id);
  // The summary goes with the terminal status in one write: a reader that sees the job ended sees its report line.
  if (fresh && !isTerminal(fresh.status)) {
    if (fresh.status === 'paused' && outcome === 'completed') {
      await deps.store.transitionJob(job.id, { type: 'fail', actor: SYSTEM, error: summary, summary });
    } else await deps.store.transitionJob(job.id, event);
  }
  if (job.windowId) {
    const ended = await deps.store.getJob(job.id);
    if (ended)
      await settleOccurrence(
        deps.store,
        () => deps.clock.now(),
        ended,
        (id) => listHosts(deps, id),
        WINDOW_END_REASON,
        deps.notifier,
      );
  }
  // Unsafe: HA not restored, or hosts left out of the cluster's capacity (failed in maintenance mode).
  const inMaintenance = hosts.filter((h) => h.status === 'failed' && leftInMaintenance(h));
  const unsafe = [
    haText.unsafe ? haText.text : '',
    inMaintenance.length
      ? `${inMaintenance.length} host(s) left in maintenance mode: ${inMaintenance.map((h) => h.name ?? h.hostId).join(', ')}`
      : '',
  ].filter(Boolean);
  if (unsafe.length && state.ctx?.cluster)
    await deps.notifier.notify({
      kind: 'cluster_unsafe',
      clusterId: state.ctx.cluster.id,
      detail: unsafe.join('; ').slice(0, 4000),
    });
  // A job-level step (a single command, the blocker scan, HA) went silent: was it the relay agent?
  if (state.error?.Error === 'States.HeartbeatTimeout') await reportOfflineAgents(deps, job);
  // One line each: the job's card carries the table and the details.
  await deps.notifier.notify(
    outcome === 'completed'
      ? { kind: 'job_completed', jobId: job.id, summary: report.summary }
      : outcome === 'cancelled'
        ? { kind: 'job_cancelled', jobId: job.id, summary: report.summary }
        : { kind: 'job_failed', jobId: job.id, error: report.summary },
  );
  return { status: outcome };
}

/**
 * A failed host still in maintenance mode: the probe's word when it said either way, else the failure's own
 * (a verification failure leaves the host there on purpose).
 */
function leftInMaintenance(h: Pick<ReportHost, 'where' | 'why'>): boolean {
  if (/\bmaintenance mode\b/.test(h.where ?? '')) return stillInMaintenance(h.where);
  return /\bleft in maintenance mode\b/.test(h.why ?? '');
}

async function haOutcome(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
  attempted: boolean,
): Promise<{ text: string; unsafe: boolean }> {
  if (!attempted) return { text: '', unsafe: false };
  const r = raw as { haRestore?: unknown; haRestoreError?: { Error?: string; Cause?: string } };
  const restored = CommandOutputs['cluster.ha-restore'].safeParse(r.haRestore);
  const rec = HaRecord.safeParse(await deps.store.getJobItem(job.id, 'note', 'ha'));
  if (restored.success) {
    if (rec.success) await deps.store.putJobItem(job.id, 'note', 'ha', { ...rec.data, status: 'restored' });
    const s = restored.data.restored;
    return {
      text: `HA admission control restored (failover level ${s.failoverLevel}, admission control ${s.admissionControlEnabled ? 'on' : 'off'})`,
      unsafe: false,
    };
  }
  const settings = rec.success ? JSON.stringify(rec.data.original) : 'unknown';
  return {
    text: `HA admission control NOT restored (${errorText(r.haRestoreError)}): restore it by hand to ${settings}`,
    unsafe: true,
  };
}
