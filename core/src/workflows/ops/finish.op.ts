import { type Actor, type Job, isTerminal } from '../../jobs/job.schema';
import type { JobEvent } from '../../jobs/lifecycle';
import type { HaSettings } from '../../inventory/inventory.schema';
import { CommandOutputs } from '../../relay/commands';
import type { z } from 'zod';
import { type ApplyNowNote, listApplyNow } from './apply-now.op';
import type { OpsDeps } from './ops-deps';
import { details, errorText, listHosts, log, putStep } from './progress';
import { HaRecord, type HostItem, preparedAnswers, TopState } from './state.schema';

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

const PHASE_TEXT: Partial<Record<HostItem['phase'], string>> = {
  pending: 'not started; untouched',
  in_progress: 'state unknown: the update was interrupted',
};
const APPLY_NOW_TEXT: Partial<Record<ApplyNowNote['status'], string>> = {
  running: 'firmware update without reboot interrupted (state unknown)',
};
const line = (h: HostItem, now?: ApplyNowNote): string => {
  const extra = now ? (now.state ?? APPLY_NOW_TEXT[now.status]) : undefined;
  return `${h.name && h.name !== h.hostId ? `${h.name} (${h.hostId})` : h.hostId}: ${h.state ?? PHASE_TEXT[h.phase] ?? h.phase}${extra ? `; ${extra}` : ''}`;
};

/**
 * The end of every workflow: decide completed / failed / cancelled from what happened (the Store's host items,
 * the state's error, the cancel request) and write a summary that names every host's final state.
 */
export async function finish(deps: OpsDeps, job: Job, raw: unknown): Promise<{ status: string }> {
  const state = TopState.parse(raw);
  const r = raw as { failure?: unknown; summary?: unknown; cleanup?: { restoreHa?: boolean } };
  if (isTerminal(job.status)) return { status: job.status };
  const problems: string[] = [];
  const hosts = (await listHosts(deps, job.id)).sort((a, b) => a.hostId.localeCompare(b.hostId));
  const cancelled = Boolean(job.cancelRequested) || state.error?.Error === 'JobCancelled';
  if (state.error && state.error.Error !== 'JobCancelled') problems.push(errorText(state.error));
  if (typeof r.failure === 'string') problems.push(r.failure);
  const applyNow = await listApplyNow(deps, job.id);
  const failedHosts = hosts.filter(
    (h) => h.phase === 'failed' || ['failed', 'running'].includes(applyNow.get(h.hostId)?.status ?? ''),
  );
  if (failedHosts.length)
    problems.push(`${failedHosts.length} host(s) failed: ${failedHosts.map((h) => h.hostId).join(', ')}`);
  const haText = await haOutcome(deps, job, raw, r.cleanup?.restoreHa === true);
  if (haText.unsafe) problems.push(haText.text);

  // Anything that went wrong beats a cancel: the operator must see the failure.
  const outcome: 'completed' | 'failed' | 'cancelled' =
    problems.length > 0 ? 'failed' : cancelled ? 'cancelled' : 'completed';

  const head =
    state.decision === 'nothing'
      ? String(r.summary ?? 'nothing to update')
      : outcome === 'completed'
        ? 'completed'
        : outcome === 'cancelled'
          ? `cancelled (${job.cancelRequested ?? 'by request'})`
          : `failed: ${problems.join('; ')}`;
  const resultText = singleCommandResult(state);
  const summary = [head, resultText, haText.text, ...hosts.map((h) => line(h, applyNow.get(h.hostId)))]
    .filter(Boolean)
    .join('\n')
    .slice(0, 8000);

  if (state.command !== undefined) {
    const kind = (state.command as { kind?: string }).kind ?? 'command';
    await putStep(deps, job.id, {
      key: 'command',
      name: kind,
      status: outcome === 'completed' ? 'completed' : 'failed',
      message: (resultText || head).slice(0, 2000),
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
    message: summary.slice(0, 2000),
  });
  await log(
    deps,
    job.id,
    outcome === 'completed' ? 'info' : outcome === 'cancelled' ? 'warn' : 'error',
    `job ${outcome}: ${summary}`,
  );
  await details(deps, job.id, {
    phase: outcome,
    hosts: Object.fromEntries(hosts.map((h) => [h.hostId, h.phase])),
  });
  const event: JobEvent =
    outcome === 'completed'
      ? { type: 'complete', actor: SYSTEM, summary }
      : outcome === 'cancelled'
        ? { type: 'cancel', actor: SYSTEM, reason: summary }
        : { type: 'fail', actor: SYSTEM, error: summary };
  const fresh = await deps.store.getJob(job.id);
  if (fresh && !isTerminal(fresh.status)) {
    if (fresh.status === 'paused' && outcome === 'completed') {
      await deps.store.transitionJob(job.id, { type: 'fail', actor: SYSTEM, error: summary });
    } else await deps.store.transitionJob(job.id, event);
    if (outcome !== 'completed') await deps.store.updateJob(job.id, { summary });
  }
  if (haText.unsafe && state.ctx?.cluster)
    await deps.notifier.notify({
      kind: 'cluster_unsafe',
      clusterId: state.ctx.cluster.id,
      detail: haText.text,
    });
  await deps.notifier.notify(
    outcome === 'completed'
      ? { kind: 'job_completed', jobId: job.id, summary }
      : { kind: 'job_failed', jobId: job.id, error: summary },
  );
  return { status: outcome };
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

function singleCommandResult(state: z.infer<typeof TopState>): string {
  if (state.result === undefined || state.result === null) return '';
  const text = JSON.stringify(state.result);
  return `result: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`;
}
