import type { Job } from '../../jobs/job.schema';
import { NotFoundError, ValidationError } from '../../util/errors';
import { parseOrThrow } from '../../util/zod-errors';
import { HostUpdateParams } from '../params';
import { clusterHosts, getCluster, getHostRecord } from './inventory';
import type { OpsDeps } from './ops-deps';
import { details, log, putHost, putStep } from './progress';
import type { HostRef, WorkflowContext } from './state.schema';

export class JobNotRunningError extends ValidationError {}

/** A job scheduled ahead or started by a maintenance window has nobody watching to answer a card. */
export const isScheduled = (job: Job): boolean =>
  Boolean(job.windowId) || Date.parse(job.scheduleAt) - Date.parse(job.createdAt) > 1000;

/**
 * `begin` for the firmware workflows: reads the job and the cluster/host from inventory NOW and returns the
 * initial state. Everything later is derived from the Store, so nothing stale rides in the execution input.
 */
export async function beginHostUpdate(deps: OpsDeps, job: Job): Promise<Record<string, unknown>> {
  const params = parseOrThrow(HostUpdateParams, job.params, 'job parameters');
  const interactive = params.interactive ?? !isScheduled(job);
  let ctx: WorkflowContext;
  if (job.type === 'rolling_cluster_update') {
    if (job.target.kind !== 'cluster') throw new ValidationError('a rolling update targets a cluster');
    const cluster = await getCluster(deps.store, job.target.id);
    if (!cluster) throw new NotFoundError('cluster', job.target.id);
    const skip = new Set(params.skipHostIds);
    const only = params.onlyHostIds ? new Set(params.onlyHostIds) : undefined;
    const hosts: HostRef[] = (await clusterHosts(deps.store, cluster.id))
      .filter((h) => !skip.has(h.id) && (!only || only.has(h.id)))
      .map((h) => ({ hostId: h.id, name: h.name, hostMoref: h.moref, vcenterId: h.vcenterId }))
      .sort((a, b) => a.hostId.localeCompare(b.hostId));
    if (hosts.length === 0) throw new ValidationError(`cluster ${cluster.name} has no hosts in inventory`);
    ctx = {
      jobType: job.type,
      inCluster: true,
      cluster: { id: cluster.id, name: cluster.name, moref: cluster.moref, vcenterId: cluster.vcenterId },
      hosts,
      hostMorefs: hosts.flatMap((h) => (h.hostMoref ? [h.hostMoref] : [])),
      interactive,
    };
  } else {
    if (job.target.kind !== 'host') throw new ValidationError('a firmware update targets one host');
    const host = await getHostRecord(deps.store, job.target.id);
    const cluster = host?.clusterId ? await getCluster(deps.store, host.clusterId) : undefined;
    const ref: HostRef = host
      ? { hostId: host.id, name: host.name, hostMoref: host.moref, vcenterId: host.vcenterId }
      : { hostId: job.target.id };
    ctx = {
      jobType: job.type,
      inCluster: Boolean(cluster && host),
      ...(cluster
        ? {
            cluster: {
              id: cluster.id,
              name: cluster.name,
              moref: cluster.moref,
              vcenterId: cluster.vcenterId,
            },
          }
        : {}),
      hosts: [ref],
      hostMorefs: ref.hostMoref ? [ref.hostMoref] : [],
      interactive,
    };
  }
  for (const h of ctx.hosts)
    await putHost(deps, job.id, { hostId: h.hostId, name: h.name, phase: 'pending' });
  for (const id of params.skipHostIds)
    await putHost(deps, job.id, {
      hostId: id,
      phase: 'skipped',
      state: 'skipped by the job parameters; untouched',
    });
  await details(deps, job.id, {
    phase: 'preflight',
    hostIds: ctx.hosts.map((h) => h.hostId),
    interactive,
  });
  await putStep(deps, job.id, { key: 'preflight', name: 'Preflight checks', status: 'running' });
  await log(
    deps,
    job.id,
    'info',
    `preflight: ${ctx.hosts.length} host(s)${ctx.cluster ? ` in cluster ${ctx.cluster.name}` : ''}; ${interactive ? 'interactive' : `scheduled (blocker policy ${params.blockerPolicy})`}`,
  );
  return { jobId: job.id, ctx };
}
