import type { Job } from '../../jobs/job.schema';
import type { HostState } from '../../relay/commands';
import { parseOrThrow } from '../../util/zod-errors';
import type { z } from 'zod';
import { HostUpdateParams } from '../params';
import { describeMismatches } from '../../catalog/firmware-mismatches';
import { mayStartHost } from '../../windows/fit';
import { stopReasonOf, stopWords, WINDOW_END_REASON } from '../../jobs/stop-reason';
import { claimHost, failedHostIds, listApplyNow, releaseHost } from './apply-now.op';
import { reportOfflineAgents } from './agent-offline';
import { HostIterState } from './host-iter';
import type { OpsDeps } from './ops-deps';
import { details, errorText, getHost, listHosts, log, putHost, putStep } from './progress';
import type { HostItem, PlanRef } from './state.schema';
import { loadHostPlan } from './host-plan.op';
import { hostStepKey, isHostSubStep } from '../../jobs/job-step';

export { WINDOW_END_REASON } from '../../jobs/stop-reason';
/** host-begin's go for a host with VMs to power off, and host-done's ask for the VMs to be powered back on. */
export const POWER_OFF_FIRST = 'PowerOffVmsFirst';
export const POWER_ON_FIRST = 'PowerOnVmsFirst';
const FINISHED = new Set(['updated', 'failed', 'not_started']);
/** Looks (each a wake-up of its parked begin) during which the appliance's host also waits for hosts not yet started. */
const PENDING_LOOKS = 3;
const STAGE_STEP = 'Stage firmware (OnReset) and back up the configuration (SCP)';

/**
 * Start one host, or say why not. Hosts start in plan order, k at a time, as slots free up (the Map's
 * MaxConcurrency): no batch barrier. Decided here, before anything is touched:
 * - already done (a resumed execution re-runs the Map) → pass over it;
 * - a cancel (graceful or immediate), the window's end (the job's stop reason), or a failed host when the job
 *   stops on failure → not started, untouched;
 * - the vCenter appliance's host while any other host is in flight → wait (its begin's token is parked until
 *   a host's window ends), so the appliance moves once, onto an updated host;
 * - a job a maintenance window started, when the window's time left is less than the host's expected
 *   out-of-service time plus the margin → not started, untouched (hosts in flight finish).
 */
export async function hostBegin(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
  reads?: Awaited<ReturnType<typeof hostBeginReads>>,
) {
  const s = HostIterState.parse(raw);
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const wave = s.host.wave ?? 0;
  const [hosts, applyNow] = reads ?? (await hostBeginReads(deps, job.id));
  const item: HostItem = hosts.find((h) => h.hostId === s.host.hostId) ?? {
    hostId: s.host.hostId,
    phase: 'pending' as const,
  };
  const base = {
    wait: false,
    powerOff: item.powerOff ?? [],
    // Maintenance mode needs vCenter; outside a cluster it is optional (job parameter, default on when possible).
    maintenance: Boolean(s.host.hostMoref && s.host.vcenterId) && (params.maintenance ?? true),
    enterParams: { timeoutSeconds: params.enterMaintenanceSeconds, evacuatePoweredOffVms: false },
    rebootParams: { timeoutSeconds: params.rebootSeconds },
  };
  if (FINISHED.has(item.phase)) return { ...base, go: false };
  const notStarted = async (reason: string) => {
    await putHost(deps, job.id, {
      ...item,
      phase: 'not_started',
      batchIndex: wave,
      reason,
      state: `not started (${reason}); untouched`,
    });
    await log(deps, job.id, 'warn', `not started: ${reason}`, s.host.hostId);
    await finishWave(deps, job, s.host);
    return { ...base, go: false };
  };
  if (job.cancelRequested) return notStarted(`${job.cancelRequested} cancel requested`);
  const stop = stopReasonOf(job);
  if (stop) return notStarted(stopWords(stop));
  if (applyNow.get(s.host.hostId)?.status === 'failed')
    return notStarted('its firmware update without reboot failed');
  const failed = failedHostIds(hosts, applyNow);
  if (failed.length > 0 && !params.continueOnFailure)
    return notStarted(`host ${failed.join(', ')} failed and the job stops on failure`);
  if (s.host.last) {
    // In progress always counts. Pending counts for the first few looks only: a host whose host-begin runs
    // right now has not written "in progress" yet (the Map starts hosts in plan order, so that is all a pending
    // host can be here); should an engine ever start this host first, it cannot hold its slot forever.
    const looks = item.waitLoops ?? 0;
    const busy = hosts.filter(
      (h) =>
        h.hostId !== s.host.hostId &&
        (h.phase === 'in_progress' || (h.phase === 'pending' && looks < PENDING_LOOKS)),
    );
    if (busy.length > 0) {
      await putHost(deps, job.id, { ...item, waitLoops: looks + 1 });
      if (looks === 0)
        await log(
          deps,
          job.id,
          'info',
          `runs the vCenter appliance: waits until ${busy.map((h) => h.hostId).join(', ')} finish`,
          s.host.hostId,
        );
      return { ...base, go: false, wait: true };
    }
  }
  if (!s.host.reboot) {
    // Only firmware that needs no reboot: the in-service branch applies it; the host never leaves service.
    await putHost(deps, job.id, {
      ...item,
      phase: 'updated',
      batchIndex: wave,
      state: 'nothing that needs a reboot; never taken out of service',
    });
    await finishWave(deps, job, s.host);
    return { ...base, go: false };
  }
  if (params.window) {
    const guard = mayStartHost({
      now: deps.clock.now(),
      windowEnd: new Date(params.window.end),
      hostS: params.window.hostSeconds,
      ...(params.window.marginS ? { marginMinS: params.window.marginS } : {}),
    });
    if (!guard.start) return notStarted(`${WINDOW_END_REASON}: ${guard.reason}`);
  }
  // Its in-service firmware update may hold the host right now (later waves): look again shortly.
  if (!(await claimHost(deps, job.id, s.host.hostId, 'window'))) {
    // Said (and marked) once; the later looks write nothing.
    if (!item.claimWait)
      await Promise.all([
        putHost(deps, job.id, { ...item, claimWait: true }),
        log(deps, job.id, 'info', 'waits for its firmware update without reboot to finish', s.host.hostId),
      ]);
    return { ...base, go: false, wait: true };
  }
  const waveStarted = hosts.some(
    (h) => h.hostId !== s.host.hostId && h.batchIndex === wave && h.phase !== 'pending',
  );
  // The job's batch on its card: the first wave's k hosts begin at once, and the job record takes one writer
  // at a time (a versioned write, retried after a conflict): the host goes without waiting for it.
  const card =
    !waveStarted && Number(job.details.batch ?? 0) < wave + 1
      ? details(deps, job.id, { phase: 'updating', batch: wave + 1 })
      : undefined;
  if (card && deps.later) deps.later(card);
  // Independent items: written together.
  await Promise.all([
    deps.later ? undefined : card,
    wave === 0 ? putStep(deps, job.id, { key: 'stage', name: STAGE_STEP, status: 'completed' }) : undefined,
    waveStarted
      ? undefined
      : putStep(deps, job.id, {
          key: `batch:${wave + 1}`,
          name: `Batch ${wave + 1}`,
          status: 'running',
          batchIndex: wave,
        }),
    putHost(deps, job.id, {
      ...item,
      waitLoops: undefined,
      claimWait: undefined,
      phase: 'in_progress',
      batchIndex: wave,
      state: 'update in progress',
    }),
    putStep(deps, job.id, {
      key: hostStepKey(s.host.hostId),
      name: `Update ${s.host.name ?? s.host.hostId}`,
      status: 'running',
      hostId: s.host.hostId,
      batchIndex: wave,
    }),
    log(
      deps,
      job.id,
      'info',
      `starting (batch ${wave + 1}): ${base.powerOff.length} VM(s) to power off, then maintenance mode`,
      s.host.hostId,
    ),
  ]);
  // VMs to power off first: the detour through the power-off Map (most hosts have none: no Map state).
  return { ...base, go: true, ...(base.powerOff.length > 0 ? { route: POWER_OFF_FIRST } : {}) };
}

/**
 * What host-begin reads of the job's hosts and in-service updates: independent of the job record, so its first
 * look reads them beside it (one round of reads; the first wave's host-begins run beside the start of every
 * in-service update).
 */
export function hostBeginReads(deps: OpsDeps, jobId: string) {
  return Promise.all([listHosts(deps, jobId), listApplyNow(deps, jobId)]);
}

/**
 * When every host of a wave has finished (or was not started), the wave's `batch:N` step ends. Returns every
 * host item as just read.
 */
export async function finishWave(deps: OpsDeps, job: Job, host: PlanRef): Promise<HostItem[]> {
  const wave = host.wave ?? 0;
  const all = await listHosts(deps, job.id);
  const mine = all.filter((h) => h.batchIndex === wave && FINISHED.has(h.phase));
  if (mine.length < (host.waveSize ?? 1)) return all;
  const updated = mine.filter((h) => h.phase === 'updated').length;
  const failedIds = mine.filter((h) => h.phase === 'failed').map((h) => h.hostId);
  const notStarted = mine.length - updated - failedIds.length;
  await putStep(deps, job.id, {
    key: `batch:${wave + 1}`,
    name: `Batch ${wave + 1}`,
    status: failedIds.length ? 'failed' : updated ? 'completed' : 'skipped',
    batchIndex: wave,
    message: `${updated} updated${failedIds.length ? `, failed: ${failedIds.join(', ')}` : ''}${notStarted ? `, ${notStarted} not started` : ''}`,
  });
  return all;
}

/** A host's window ended (updated or failed): its item, its step and a log line, written together. */
async function recordHost(deps: OpsDeps, job: Job, host: PlanRef, item: HostItem & { state: string }) {
  const ok = item.phase === 'updated';
  await Promise.all([
    putHost(deps, job.id, item),
    putStep(deps, job.id, {
      key: hostStepKey(host.hostId),
      name: `Update ${host.name ?? host.hostId}`,
      status: ok ? 'completed' : 'failed',
      hostId: host.hostId,
      batchIndex: host.wave ?? 0,
      message: item.state,
    }),
    log(deps, job.id, ok ? 'info' : 'error', item.state, host.hostId),
  ]);
}

/** What host-done reads of the host (its item and plan): independent of the job record, so read beside it. */
export async function hostDoneReads(deps: OpsDeps, jobId: string, raw: unknown) {
  const s = HostIterState.parse(raw);
  const [found, plan] = await Promise.all([
    getHost(deps, jobId, s.host.hostId),
    loadHostPlan(deps.store, jobId, s.host.hostId),
  ]);
  return { found, plan };
}

export async function hostDone(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
  reads?: Awaited<ReturnType<typeof hostDoneReads>>,
): Promise<{ ok: true }> {
  const s = HostIterState.parse(raw);
  const { found, plan } = reads ?? (await hostDoneReads(deps, job.id, raw));
  const item = found ?? { hostId: s.host.hostId, phase: 'pending' as const };
  const vms = item.powerOff?.length ?? 0;
  const state = `updated (${plan.packages.length} package(s), ${plan.expected.length} component(s) verified after the reboot), out of maintenance${vms ? `, ${vms} VM(s) powered back on` : ''}`;
  await recordHost(deps, job, s.host, { ...item, phase: 'updated', state });
  // Nothing per host goes into the job record: k hosts finishing at once would contend for its one version.
  await Promise.all([releaseHost(deps, job.id, s.host.hostId, 'window'), finishWave(deps, job, s.host)]);
  return { ok: true };
}

/** Where a host is after a failure, in words, from the probe (the device's answer just now). */
export function describeHostState(
  probe: z.infer<typeof HostState> | undefined,
  probeFailed: boolean,
): string {
  if (!probe) return probeFailed ? 'state unknown (the host did not answer the check)' : 'state unknown';
  const parts: string[] = [];
  parts.push(
    probe.idracReachable ? `iDRAC reachable, power ${probe.powerState ?? 'unknown'}` : 'iDRAC unreachable',
  );
  if (probe.connectionState) parts.push(`vCenter: ${probe.connectionState}`);
  if (probe.inMaintenanceMode !== undefined)
    parts.push(probe.inMaintenanceMode ? 'in maintenance mode' : 'not in maintenance mode');
  return parts.join(', ');
}

/**
 * The engine's own timeouts say only "States.Timeout: task timed out": name the step that did not finish
 * instead ("Reboot to apply staged firmware, then verify: did not finish in time (States.Timeout)").
 */
function timeoutInWords(error: { Error?: string } | undefined, step: string | undefined): string | undefined {
  const code = error?.Error;
  const what = step ?? 'a step';
  if (code === 'States.Timeout') return `${what}: did not finish in time (${code})`;
  if (code === 'States.HeartbeatTimeout')
    return `${what}: the relay agent stopped reporting progress (${code})`;
  return undefined;
}

/** A host failed: record where it is (probed), never silently. Other hosts of the batch carry on. */
export async function hostFailed(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: false }> {
  const s = HostIterState.parse(raw);
  const item = (await getHost(deps, job.id, s.host.hostId)) ?? {
    hostId: s.host.hostId,
    phase: 'pending' as const,
  };
  const steps = (await deps.store.listSteps(job.id)).filter((st) => isHostSubStep(st.key, s.host.hostId));
  const unfinishedSteps = steps.filter((st) => st.status !== 'completed' && !st.key.endsWith(':probe'));
  // A verification result means the reboot ran, so the host went through maintenance mode when its window
  // used it, and the workflow keeps an unverified host there: known without the step records (best effort).
  const verifyFailed = Boolean(s.verify && !s.verify.v.ok);
  const usedMaintenance = s.begin?.v.maintenance !== false;
  let why: string;
  if (s.verify && !s.verify.v.ok)
    why = `firmware verification failed (${describeMismatches(s.verify.v.mismatches)})${usedMaintenance ? '; left in maintenance mode' : ''}`;
  else {
    const last = [...unfinishedSteps]
      .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''))
      .at(-1);
    why = timeoutInWords(s.error, last?.name) ?? errorText(s.error);
  }
  let where = describeHostState(s.probe, Boolean(s.probeError));
  if (!s.probe && verifyFailed)
    where = usedMaintenance
      ? 'in maintenance mode (kept there: its firmware did not verify after the reboot)'
      : 'back from its reboot, not in maintenance mode (its update did not use it)';
  else if (!s.probe) {
    // No live answer: say what the recorded steps show (entered maintenance, which step did not finish).
    const doneKeys = new Set(
      steps.filter((st) => st.status === 'completed').map((st) => st.key.split(':').pop()),
    );
    const unfinished = unfinishedSteps.map((st) => st.key.split(':').pop());
    const inMaint = doneKeys.has('enter-maintenance') && !doneKeys.has('exit-maintenance');
    where += `; last known: ${inMaint ? 'in maintenance mode' : 'not taken out of service'}${unfinished.length ? `, unfinished: ${unfinished.join(', ')}` : ''}`;
  }
  const vmsOff = item.powerOff?.length
    ? `; ${item.powerOff.length} VM(s) left powered off: ${item.powerOff.map((v) => v.name).join(', ')}`
    : '';
  const state = `FAILED: ${why} — now ${where}${vmsOff}`;
  await recordHost(deps, job, s.host, { ...item, phase: 'failed', state, error: why, where });
  await releaseHost(deps, job.id, s.host.hostId, 'window');
  await finishWave(deps, job, s.host);
  if (s.error?.Error === 'States.HeartbeatTimeout') await reportOfflineAgents(deps, job);
  return { ok: false };
}
