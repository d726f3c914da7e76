import type { Job } from '../../jobs/job.schema';
import { CommandOutputs, HostState } from '../../relay/commands';
import { parseOrThrow } from '../../util/zod-errors';
import { z } from 'zod';
import { FirmwareComponent } from '../../inventory/inventory.schema';
import { isInstalledFirmware } from '../../catalog/redfish-firmware';
import { HostUpdateParams } from '../params';
import { componentKey } from '../preflight';
import { JobCancelledError } from './blockers.op';
import type { OpsDeps } from './ops-deps';
import { details, errorText, getHost, listHosts, log, putHost, putStep } from './progress';
import { PlanHost, StepError } from './state.schema';

const BatchState = z.looseObject({
  jobId: z.string(),
  batchIndex: z.number().int(),
  hosts: z.array(PlanHost),
});
const HostIterState = z.looseObject({
  jobId: z.string(),
  batchIndex: z.number().int(),
  host: PlanHost,
  error: StepError.optional(),
  probeError: StepError.optional(),
  probe: HostState.loose().optional(),
  verify: z.object({ v: CommandOutputs['firmware.verify'] }).optional(),
  fw: z.looseObject({ firmware: z.array(z.unknown()) }).optional(),
});

/** After the reboot: every expected component at its expected version, matched by the preflight's ids. */
export async function verify(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<z.infer<(typeof CommandOutputs)['firmware.verify']>> {
  const s = HostIterState.parse(raw);
  const installed = (s.fw?.firmware ?? []).flatMap((f) => {
    const p = FirmwareComponent.safeParse(f);
    return p.success && isInstalledFirmware(p.data) ? [p.data] : [];
  });
  const mismatches = s.host.expected.flatMap((e) => {
    const have = installed.filter((c) => componentKey(c) === e.componentId);
    if (have.length > 0 && have.every((c) => c.version === e.version)) return [];
    const other = have.find((c) => c.version !== e.version);
    return [
      { componentId: e.componentId, expected: e.version, ...(other ? { installed: other.version } : {}) },
    ];
  });
  await log(
    deps,
    job.id,
    mismatches.length ? 'error' : 'info',
    mismatches.length
      ? `firmware verification: ${mismatches.length} mismatch(es)`
      : `firmware verified: ${s.host.expected.length} component(s) at the expected version`,
    s.host.hostId,
  );
  return { ok: mismatches.length === 0, mismatches };
}

/**
 * Before each batch: no new batch after a cancel (graceful or immediate) or, by default, after a failed host.
 * Batches whose hosts are all done already (a resumed execution re-runs the Map) are passed over.
 */
export async function batchStart(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<{ go: boolean; reason?: string }> {
  const s = BatchState.parse(raw);
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const key = `batch:${s.batchIndex + 1}`;
  const name = `Batch ${s.batchIndex + 1}: ${s.hosts.map((h) => h.hostId).join(', ')}`;
  const stop = async (reason: string) => {
    await putStep(deps, job.id, { key, name, status: 'skipped', batchIndex: s.batchIndex, message: reason });
    await log(deps, job.id, 'warn', `batch ${s.batchIndex + 1} not started: ${reason}`);
    for (const h of s.hosts) {
      const item = await getHost(deps, job.id, h.hostId);
      if (item && item.phase === 'pending')
        await putHost(deps, job.id, {
          ...item,
          phase: 'not_started',
          state: `not started (${reason}); untouched`,
        });
    }
    return { go: false, reason };
  };
  if (job.cancelRequested) return stop(`cancel (${job.cancelRequested}) requested`);
  const hosts = await listHosts(deps, job.id);
  const failed = hosts.filter((h) => h.phase === 'failed');
  if (failed.length > 0 && !params.continueOnFailure)
    return stop(`host ${failed.map((h) => h.hostId).join(', ')} failed and the job stops on failure`);
  const mine = s.hosts.map((h) => hosts.find((x) => x.hostId === h.hostId));
  if (mine.every((h) => h && (h.phase === 'updated' || h.phase === 'failed')))
    return { go: false, reason: 'already done' };
  // The previous batch is done when this one starts.
  if (s.batchIndex > 0) {
    await putStep(deps, job.id, {
      key: `batch:${s.batchIndex}`,
      name: `Batch ${s.batchIndex}`,
      status: 'completed',
      batchIndex: s.batchIndex - 1,
    });
  } else {
    await putStep(deps, job.id, { key: 'stage', name: 'Stage firmware (OnReset)', status: 'completed' });
  }
  await putStep(deps, job.id, { key, name, status: 'running', batchIndex: s.batchIndex });
  await details(deps, job.id, { phase: 'updating', batch: s.batchIndex + 1 });
  await log(deps, job.id, 'info', `${name} starting`);
  return { go: true };
}

/** Start one host: skip it if an immediate cancel came or it is already done (resume in place). */
export async function hostBegin(deps: OpsDeps, job: Job, raw: unknown) {
  const s = HostIterState.parse(raw);
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const item = (await getHost(deps, job.id, s.host.hostId)) ?? {
    hostId: s.host.hostId,
    phase: 'pending' as const,
  };
  const base = {
    powerOff: item.powerOff ?? [],
    // Maintenance mode needs vCenter; outside a cluster it is optional (job parameter, default on when possible).
    maintenance: Boolean(s.host.hostMoref && s.host.vcenterId) && (params.maintenance ?? true),
    enterParams: { timeoutSeconds: params.enterMaintenanceSeconds, evacuatePoweredOffVms: false },
    rebootParams: { timeoutSeconds: params.rebootSeconds },
  };
  if (item.phase === 'updated' || item.phase === 'failed') return { go: false, ...base };
  if (job.cancelRequested === 'immediate') {
    await putHost(deps, job.id, {
      ...item,
      phase: 'not_started',
      state: 'not started (immediate cancel); untouched',
    });
    return { go: false, ...base };
  }
  await putHost(deps, job.id, {
    ...item,
    phase: 'in_progress',
    batchIndex: s.batchIndex,
    state: 'update in progress',
  });
  await putStep(deps, job.id, {
    key: `host:${s.host.hostId}`,
    name: `Update ${s.host.name ?? s.host.hostId}`,
    status: 'running',
    hostId: s.host.hostId,
    batchIndex: s.batchIndex,
  });
  await log(
    deps,
    job.id,
    'info',
    `starting: SCP backup, ${base.powerOff.length} VM(s) to power off, then maintenance mode`,
    s.host.hostId,
  );
  return { go: true, ...base };
}

/** Before the host leaves service: an immediate cancel stops here (the host is still serving, untouched). */
export async function checkpoint(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const s = HostIterState.parse(raw);
  if (job.cancelRequested === 'immediate')
    throw new JobCancelledError('immediate cancel before maintenance mode');
  await log(deps, job.id, 'info', 'entering maintenance mode (DRS evacuates the VMs)', s.host.hostId);
  return { ok: true };
}

export async function hostDone(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const s = HostIterState.parse(raw);
  const item = (await getHost(deps, job.id, s.host.hostId)) ?? {
    hostId: s.host.hostId,
    phase: 'pending' as const,
  };
  const vms = item.powerOff?.length ?? 0;
  const state = `updated (${s.host.packages.length} package(s), ${s.host.expected.length} component(s)), verified, out of maintenance${vms ? `, ${vms} VM(s) powered back on` : ''}`;
  await putHost(deps, job.id, { ...item, phase: 'updated', state });
  await putStep(deps, job.id, {
    key: `host:${s.host.hostId}`,
    name: `Update ${s.host.name ?? s.host.hostId}`,
    status: 'completed',
    hostId: s.host.hostId,
    batchIndex: s.batchIndex,
    message: state,
  });
  await log(deps, job.id, 'info', state, s.host.hostId);
  const all = await listHosts(deps, job.id);
  await details(deps, job.id, { hostsUpdated: all.filter((h) => h.phase === 'updated').length });
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

/** A host failed: record where it is (probed), never silently. Other hosts of the batch carry on. */
export async function hostFailed(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: false }> {
  const s = HostIterState.parse(raw);
  const item = (await getHost(deps, job.id, s.host.hostId)) ?? {
    hostId: s.host.hostId,
    phase: 'pending' as const,
  };
  const cancelled = s.error?.Error === 'JobCancelled';
  let why: string;
  if (cancelled) why = 'stopped by an immediate cancel before maintenance mode';
  else if (s.verify && !s.verify.v.ok)
    why = `firmware verification failed (${s.verify.v.mismatches.map((m) => `${m.componentId}: expected ${m.expected}, found ${m.installed ?? 'none'}`).join('; ')}); left in maintenance mode`;
  else why = errorText(s.error);
  let where = describeHostState(s.probe, Boolean(s.probeError));
  if (!s.probe) {
    // No live answer: say what the recorded steps show (entered maintenance, which step did not finish).
    const steps = (await deps.store.listSteps(job.id)).filter((st) =>
      st.key.startsWith(`host:${s.host.hostId}:`),
    );
    const doneKeys = new Set(
      steps.filter((st) => st.status === 'completed').map((st) => st.key.split(':').pop()),
    );
    const unfinished = steps
      .filter((st) => st.status !== 'completed' && !st.key.endsWith(':probe'))
      .map((st) => st.key.split(':').pop());
    const inMaint = doneKeys.has('enter-maintenance') && !doneKeys.has('exit-maintenance');
    where += `; last known: ${inMaint ? 'in maintenance mode' : 'not taken out of service'}${unfinished.length ? `, unfinished: ${unfinished.join(', ')}` : ''}`;
  }
  const vmsOff = item.powerOff?.length
    ? `; ${item.powerOff.length} VM(s) left powered off: ${item.powerOff.map((v) => v.name).join(', ')}`
    : '';
  const state = `${cancelled ? 'cancelled' : 'FAILED'}: ${why} — now ${where}${vmsOff}`;
  await putHost(deps, job.id, { ...item, phase: cancelled ? 'not_started' : 'failed', state, error: why });
  await putStep(deps, job.id, {
    key: `host:${s.host.hostId}`,
    name: `Update ${s.host.name ?? s.host.hostId}`,
    status: cancelled ? 'skipped' : 'failed',
    hostId: s.host.hostId,
    batchIndex: s.batchIndex,
    message: state,
  });
  await log(deps, job.id, cancelled ? 'warn' : 'error', state, s.host.hostId);
  return { ok: false };
}
