import type { Job } from '../../jobs/job.schema';
import { JobCancelledError, resolutionDone, resolveForHosts, vmsToPowerOff } from './blockers.op';
import { parseOrThrow } from '../../util/zod-errors';
import { ScpRestoreParams } from '../params';
import { getCluster, getHostRecord } from './inventory';
import type { OpsDeps } from './ops-deps';
import { log, putStep } from './progress';
import { beginSingleCommand, commandForJob } from './single-command.op';
import { HostRef, type WorkflowContext } from './state.schema';

/** How long DRS may take to evacuate the host before the restore gives up (the firmware update's default). */
const ENTER_MAINTENANCE_SECONDS = 1800;

/**
 * `begin` of an SCP restore: the import command, and whether it runs in maintenance mode — an ESXi host of a
 * cluster (inventory read now) whose import reboots it. A restore without reboot changes nothing the running
 * VMs see until the next restart, and a host outside vCenter has no maintenance mode to enter.
 */
export async function beginScpRestore(deps: OpsDeps, job: Job): Promise<Record<string, unknown>> {
  const params = parseOrThrow(ScpRestoreParams, job.params, 'SCP restore');
  const base = await beginSingleCommand(deps, job);
  const host = await getHostRecord(deps.store, job.target.id);
  const cluster = host?.clusterId ? await getCluster(deps.store, host.clusterId) : undefined;
  if (!host || !cluster || params.shutdownType === 'NoReboot') return { ...base, maintenance: false };
  const ref: HostRef = { hostId: host.id, name: host.name, hostMoref: host.moref, vcenterId: host.vcenterId };
  const ctx: WorkflowContext = {
    jobType: job.type,
    inCluster: true,
    cluster: { id: cluster.id, name: cluster.name, moref: cluster.moref, vcenterId: cluster.vcenterId },
    hosts: [ref],
    hostMorefs: [host.moref],
    interactive: true,
  };
  // Not sent yet: the blocker scan and maintenance mode come first (dispatch marks it running).
  await putStep(deps, job.id, {
    key: 'command',
    name: commandForJob(job).kind,
    status: 'pending',
    message: 'after the blocker scan and maintenance mode',
  });
  await log(
    deps,
    job.id,
    'info',
    `${host.name} is in cluster ${cluster.name} and the import reboots it: maintenance mode around the restore`,
    host.id,
  );
  return {
    ...base,
    ctx,
    host: ref,
    maintenance: true,
    // The VMs powered off before maintenance mode and back on after: none unless a resolution names some.
    powerOff: [],
    enterParams: { timeoutSeconds: ENTER_MAINTENANCE_SECONDS, evacuatePoweredOffVms: false },
  };
}

/**
 * After the pause: the operator's resolution for the restore's one host, the same rules as an update (every
 * blocker answered). The VMs to power off go under `powerOff`; skipping the host means no restore, so the job
 * ends as cancelled with nothing touched.
 */
export async function applyRestoreResolution(
  deps: OpsDeps,
  job: Job,
  raw: unknown,
): Promise<Record<string, unknown>> {
  const state = raw as Record<string, unknown>;
  const host = HostRef.parse(state.host);
  const { applied, vmsByHost, resumed } = await resolveForHosts(deps, job, raw, [host.hostId]);
  if (resumed) await resolutionDone(deps, job.id, applied);
  if (applied.skipHostIds.includes(host.hostId))
    throw new JobCancelledError(
      `${host.name ?? host.hostId} skipped by the resolution: nothing was restored`,
    );
  const powerOff = vmsToPowerOff(vmsByHost.get(host.hostId) ?? [], applied.powerOff[host.hostId] ?? []);
  return { ...state, resume: undefined, powerOff };
}
