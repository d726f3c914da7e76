import { z } from 'zod';
import type { Job } from '../../jobs/job.schema';
import { ConflictError } from '../../util/errors';
import { parseOrThrow } from '../../util/zod-errors';
import { HostUpdateParams } from '../params';
import { describeMismatches, firmwareVerdict } from '../../catalog/firmware-mismatches';
import { appliedName } from '../firmware-name';
import { HostIterState } from './host-iter';
import type { OpsDeps } from './ops-deps';
import type { HostItem, PlanRef } from './state.schema';
import { loadHostPlan } from './host-plan.op';
import { errorText, getHost, listHosts, log, putStep } from './progress';
import { hostStepKey } from '../../jobs/job-step';

/**
 * Firmware that needs no host reboot (iDRAC, Lifecycle Controller, driver packs) is applied while the host
 * serves VMs, never while it is in its window (maintenance mode, reboot): the iDRAC resets itself after its own
 * update, and a reset in the middle of a reboot with staged firmware is nobody's friend. One claim per host says
 * who works on its iDRAC; a note per host says how its in-service update went (kept apart from the host item,
 * which the window's ops write concurrently).
 */

const CLAIM_TYPE = 'host-claim';
export type ClaimHolder = 'window' | 'apply-now';

/** Takes the host's claim for `holder`. Re-entrant: a resumed execution re-runs the holder's step. */
export async function claimHost(
  deps: OpsDeps,
  jobId: string,
  hostId: string,
  holder: ClaimHolder,
): Promise<boolean> {
  const id = `${jobId}/${hostId}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await deps.store.putRecord(
        { type: CLAIM_TYPE, id, parent: jobId, data: { holder } },
        { ifAbsent: true },
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const cur = await deps.store.getRecord<{ holder: string }>(CLAIM_TYPE, id);
      if (cur) return cur.data.holder === holder;
      // Released between the write and the read: try once more.
    }
  }
  return false;
}

export async function releaseHost(
  deps: OpsDeps,
  jobId: string,
  hostId: string,
  holder: ClaimHolder,
): Promise<void> {
  const id = `${jobId}/${hostId}`;
  const cur = await deps.store.getRecord<{ holder: string }>(CLAIM_TYPE, id);
  if (cur?.data.holder === holder) await deps.store.deleteRecord(CLAIM_TYPE, id);
}

export const ApplyNowNote = z.object({
  hostId: z.string(),
  status: z.enum(['running', 'applied', 'failed', 'skipped']),
  /** In words, for the report. */
  state: z.string().optional(),
  /** Looks that found the host's window not yet over (the begin's token stays parked until woken). */
  waits: z.number().int().nonnegative().default(0),
});
export type ApplyNowNote = z.infer<typeof ApplyNowNote>;

export async function getApplyNow(
  deps: OpsDeps,
  jobId: string,
  hostId: string,
): Promise<ApplyNowNote | undefined> {
  const raw = await deps.store.getJobItem<unknown>(jobId, 'apply-now', hostId);
  return raw === undefined ? undefined : ApplyNowNote.parse(raw);
}

async function putApplyNow(deps: OpsDeps, jobId: string, note: ApplyNowNote): Promise<void> {
  await deps.store.putJobItem(jobId, 'apply-now', note.hostId, JSON.parse(JSON.stringify(note)));
}

/** Every host's in-service update, by host id. */
export async function listApplyNow(deps: OpsDeps, jobId: string): Promise<Map<string, ApplyNowNote>> {
  const items = await deps.store.listJobItems<unknown>(jobId, 'apply-now');
  return new Map(items.map((i) => [i.key, ApplyNowNote.parse(i.data)]));
}

/** Hosts whose window or in-service update failed (what stop-on-failure stops for), each once. */
export function failedHostIds(
  hosts: readonly HostItem[],
  notes: ReadonlyMap<string, ApplyNowNote>,
): string[] {
  const ids = [
    ...hosts.filter((h) => h.phase === 'failed').map((h) => h.hostId),
    ...[...notes.values()].filter((n) => n.status === 'failed').map((n) => n.hostId),
  ];
  return [...new Set(ids)];
}

const FINAL = new Set(['applied', 'failed', 'skipped']);
const stepOf = (host: { hostId: string; name?: string; wave?: number }) => ({
  key: hostStepKey(host.hostId, 'apply-now'),
  name: `Firmware without reboot on ${host.name ?? host.hostId} (in service)`,
  hostId: host.hostId,
  batchIndex: host.wave ?? 0,
});

/**
 * Start one host's in-service update, wait, or pass:
 * - nothing to apply, already done (a resumed execution), a cancel, a failure that stops the job, a host that
 *   failed or was not started → pass (the last three noted as skipped, for the report);
 * - the host is in its window, or is a first-wave host whose window has not ended yet → wait (the begin's
 *   token is parked until the window's end wakes it); later waves go at once and are done long before their turn;
 * - the host's claim is taken (its window is starting right now) → wait.
 */
export async function applyNowBegin(deps: OpsDeps, job: Job, raw: unknown) {
  const s = HostIterState.parse(raw);
  const host = s.host;
  const pass = { go: false, wait: false };
  // Cheap first: all of these run at once when the rollout starts, beside the first wave's host-begins, and a
  // first-wave host's look (each wake-up) goes no further than these two reads.
  if (!host.hasImmediate) return pass;
  const [found, item] = await Promise.all([
    getApplyNow(deps, job.id, host.hostId),
    getHost(deps, job.id, host.hostId),
  ]);
  const note = found ?? { hostId: host.hostId, status: 'running' as const, waits: 0 };
  if (FINAL.has(note.status)) return pass;
  const skip = async (reason: string) => {
    const state = `firmware that needs no reboot not applied (${reason})`;
    await Promise.all([
      putApplyNow(deps, job.id, { ...note, status: 'skipped', state }),
      log(deps, job.id, 'warn', state, host.hostId),
    ]);
    return pass;
  };
  const wait = async () => {
    await putApplyNow(deps, job.id, { ...note, status: 'running', waits: note.waits + 1 });
    return { go: false, wait: true };
  };
  if (job.cancelRequested) return skip(`${job.cancelRequested} cancel requested`);
  if (item?.phase === 'failed' || item?.phase === 'not_started')
    return skip(`the host's update ${item.phase === 'failed' ? 'failed' : 'did not start'}`);
  const windowOver = item?.phase === 'updated';
  if (!windowOver && host.reboot && ((host.wave ?? 0) === 0 || item?.phase === 'in_progress')) return wait();
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const [hosts, notes, plan] = await Promise.all([
    listHosts(deps, job.id),
    listApplyNow(deps, job.id),
    loadHostPlan(deps.store, job.id, host.hostId),
  ]);
  if (plan.immediate.length === 0) return pass;
  const failed = failedHostIds(hosts, notes).filter((id) => id !== host.hostId);
  if (failed.length > 0 && !params.continueOnFailure)
    return skip(`host ${failed.join(', ')} failed and the job stops on failure`);
  if (!(await claimHost(deps, job.id, host.hostId, 'apply-now'))) return wait();
  await Promise.all([
    putApplyNow(deps, job.id, { ...note, status: 'running' }),
    putStep(deps, job.id, { ...stepOf(host), status: 'running' }),
    log(
      deps,
      job.id,
      'info',
      `applying ${plan.immediate.map(appliedName).join(', ')} while the host serves VMs (no reboot)`,
      host.hostId,
    ),
  ]);
  return { go: true, wait: false };
}

/** Records an in-service update's outcome (note, step, log), then lets go of the host. */
async function recordOutcome(
  deps: OpsDeps,
  job: Job,
  host: PlanRef,
  status: 'applied' | 'failed',
  state: string,
): Promise<void> {
  const note = (await getApplyNow(deps, job.id, host.hostId)) ?? { hostId: host.hostId, waits: 0 };
  await Promise.all([
    putApplyNow(deps, job.id, { ...note, status, state }),
    putStep(deps, job.id, {
      ...stepOf(host),
      status: status === 'applied' ? 'completed' : 'failed',
      message: state,
    }),
    log(deps, job.id, status === 'applied' ? 'info' : 'error', state, host.hostId),
  ]);
  // Only once the outcome is recorded: the host's window, waiting for the claim, then sees it.
  await releaseHost(deps, job.id, host.hostId, 'apply-now');
}

/** After the in-service update: the components it covers, read back, at their versions. */
export async function applyNowDone(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: boolean }> {
  const { host, fw } = HostIterState.parse(raw);
  const plan = await loadHostPlan(deps.store, job.id, host.hostId);
  const { ok, mismatches } = firmwareVerdict(plan.immediateExpected, fw?.firmware ?? []);
  const state = ok
    ? `${plan.immediate.length} package(s) without reboot applied in service and verified: ${plan.immediate.map(appliedName).join(', ')}`
    : `FAILED in service: firmware without reboot not at the expected version (${describeMismatches(mismatches)})`;
  await recordOutcome(deps, job, host, ok ? 'applied' : 'failed', state);
  return { ok };
}

export async function applyNowFailed(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: false }> {
  const { host, error } = HostIterState.parse(raw);
  // Best effort: the failure may be that very plan item missing, and the outcome is recorded all the same.
  const plan = await loadHostPlan(deps.store, job.id, host.hostId).catch(() => undefined);
  const names = plan ? plan.immediate.map(appliedName).join(', ') : 'its plan unreadable';
  await recordOutcome(
    deps,
    job,
    host,
    'failed',
    `FAILED in service: ${errorText(error)} (firmware without reboot: ${names})`,
  );
  return { ok: false };
}
