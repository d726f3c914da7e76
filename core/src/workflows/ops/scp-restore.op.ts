import type { Job } from '../../jobs/job.schema';
import { parseOrThrow } from '../../util/zod-errors';
import { ScpRestoreParams } from '../params';
import { getCluster, getHostRecord } from './inventory';
import type { OpsDeps } from './ops-deps';
import { log } from './progress';
import { beginSingleCommand } from './single-command.op';
import type { HostRef, WorkflowContext } from './state.schema';

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
    enterParams: { timeoutSeconds: ENTER_MAINTENANCE_SECONDS, evacuatePoweredOffVms: false },
  };
}
