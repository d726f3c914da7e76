import {
  FAILOVER_PAUSES,
  FailoverDecision,
  type FailoverDecisionOutput,
  FailoverParams,
  type FailoverPause,
} from '../failover/failover.schema';
import { type FailoverScope, failoverConflicts } from '../failover/failover-conflicts';
import { type Host, INVENTORY_TYPES, type Vm } from '../inventory/inventory.schema';
import type { Actor, Job, JobStatus } from '../jobs/job.schema';
import type { ProtectionGroup } from '../replication/protection-group.schema';
import { createProtectionGroupStore } from '../replication/protection-group-store';
import { ProtectionGroupName } from '../replication/zfs-names';
import { listAllRecords } from '../store/list-all-records';
import { NotFoundError, RackOpsError, ValidationError } from '../util/errors';
import { newId } from '../util/ids';
import { parseOrThrow } from '../util/zod-errors';
import { type CreateJobOutcome, createJob } from './create-job';
import type { UseCaseDeps } from './deps';
import { StaleJobError } from './errors';
import { loadPaused, wake } from './resume-job';

const ACTIVE: readonly JobStatus[] = ['pending', 'running', 'paused'];

/** Every job not ended (pending includes those waiting for a second person). */
async function activeJobs(deps: UseCaseDeps): Promise<Job[]> {
  const out: Job[] = [];
  for (const status of ACTIVE) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listJobsByStatus(status, { limit: 100, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
  }
  return out;
}

/**
 * What a failover of `g` touches, by the inventory: the DR hosts it mounts on and their clusters, the source
 * VMs' hosts and clusters (by name on the source vCenter). What the inventory does not know is left out.
 */
export async function failoverScope(
  deps: UseCaseDeps,
  g: ProtectionGroup,
  params: FailoverParams,
): Promise<FailoverScope> {
  const hosts = (await listAllRecords(deps.store, INVENTORY_TYPES.host))
    .filter((r) => !r.gone)
    .map((r) => r.data as Host);
  const vms = (await listAllRecords(deps.store, INVENTORY_TYPES.vm))
    .filter((r) => !r.gone)
    .map((r) => r.data as Vm)
    .filter((v) => v.vcenterId === g.source.vcenterId && params.vms.includes(v.name));
  const drHosts = hosts.filter(
    (h) => h.vcenterId === g.target.vcenterId && params.hostMorefs.includes(h.moref),
  );
  const hostIds = new Set([...drHosts.map((h) => h.id), ...vms.map((v) => v.hostId)]);
  const clusterIds = new Set<string>();
  for (const h of drHosts) if (h.clusterId) clusterIds.add(h.clusterId);
  for (const v of vms) if (v.clusterId) clusterIds.add(v.clusterId);
  return { group: g.name, vms: params.vms, clusterIds: [...clusterIds], hostIds: [...hostIds] };
}

/**
 * `failover <group>` (planned) and `failover <group> unplanned "<reason>"`: one `failover` job. Refused, with
 * nothing created, for an unknown or unapproved group, one with no replica, an unplanned failover by anyone
 * but an admin (`admin` is the chat's role check, passed on), and while a rollout, a failover or a test
 * failover is active on the group, its VMs or the clusters and hosts at either site. A production group's
 * failover waits for a second person (four-eyes), as any production job does.
 */
export async function startFailover(
  deps: UseCaseDeps,
  input: { group: string; actor: Actor; params: unknown; admin?: boolean; conversationId?: string },
): Promise<{ job: Job; outcome: CreateJobOutcome }> {
  const name = parseOrThrow(ProtectionGroupName, input.group, 'protection group name');
  const params = parseOrThrow(FailoverParams, input.params, 'failover');
  if (params.mode === 'unplanned' && input.admin !== true)
    throw new RackOpsError('forbidden', 'an unplanned failover needs the admin role: nothing was started');
  const g = (await createProtectionGroupStore(deps.store).get(name))?.value;
  if (!g) throw new NotFoundError('protection group', name);
  if (g.approval !== 'approved')
    throw new RackOpsError('group_not_approved', `protection group ${name} is not approved: no failover`);
  if (!g.lastReplica)
    throw new RackOpsError(
      'no_replica',
      `protection group ${name} has no replica yet: nothing to fail over to`,
    );
  const conflicts = failoverConflicts(await activeJobs(deps), await failoverScope(deps, g, params));
  if (conflicts.length > 0)
    throw new RackOpsError('failover_conflict', `no failover of ${name} now: ${conflicts.join('; ')}`);
  return createJob(deps, {
    type: 'failover',
    target: { kind: 'protection_group', id: name },
    params: JSON.parse(JSON.stringify(params)) as Record<string, unknown>,
    actor: input.actor,
    production: g.production,
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
  });
}

/** The pause a failover job waits at (`details.pause`, written by the workflow just before it pauses). */
export function failoverPauseOf(job: Job): FailoverPause | undefined {
  const p = job.details.pause;
  return p === 'decide' || p === 'confirm-rollback' ? p : undefined;
}

/**
 * A decision on a paused failover: *Commit* or *Roll back* at the first pause, *Confirm roll back* (discard
 * what changed at DR) or *Keep* at the second. A decision the current pause does not take, a second click or a
 * stale card changes nothing. Audited.
 */
export async function decideFailover(
  deps: UseCaseDeps,
  input: { jobId: string; actor: Actor; decision: unknown; expectedVersion?: number },
): Promise<Job> {
  const decision = parseOrThrow(FailoverDecision, input.decision, 'failover decision');
  const job = await loadPaused(deps, input.jobId, input.expectedVersion);
  if (job.type !== 'failover')
    throw new ValidationError(`job ${job.id} is a ${job.type} job, not a failover: nothing decided`);
  const pause = failoverPauseOf(job);
  if (!pause) throw new StaleJobError(job.id, `job ${job.id} is not waiting for a failover decision`);
  const allowed: readonly FailoverDecision[] = FAILOVER_PAUSES[pause];
  if (!allowed.includes(decision))
    throw new ValidationError(
      `job ${job.id} is waiting for ${allowed.join(' or ')}, not ${decision}: nothing decided`,
    );
  const resolutionId = newId();
  const output: FailoverDecisionOutput = { resolutionId, decision, resolutions: [] };
  const resumed = await wake(deps, job, input.actor, { resolutionId }, output);
  await deps.store.recordAudit({
    actor: input.actor,
    action: 'failover.decision',
    jobId: job.id,
    detail: { decision, pause, group: job.target.id },
  });
  return resumed;
}
