import {
  type HostResolution,
  RESOLUTION_ORDER_KEY,
  Resolution,
  type ResumeTaskOutput,
} from '../blockers/resolution.schema';
import { applyResolution } from '../blockers/apply-resolution';
import type { Actor, Job } from '../jobs/job.schema';
import { INVENTORY_TYPES } from '../inventory/inventory.schema';
import { ConflictError, NotFoundError, ValidationError } from '../util/errors';
import { newId } from '../util/ids';
import { parseOrThrow } from '../util/zod-errors';
import type { ResumeToken } from './cancel-job';
import type { UseCaseDeps } from './deps';
import { JobStateError, StaleJobError } from './errors';
import { type HostBlockers, loadBlockers } from './stored-blockers';

export interface ResumeInput {
  jobId: string;
  actor: Actor;
  resolution: unknown;
  /** The job version the card showed; another version means the card is stale. */
  expectedVersion?: number;
}

/**
 * Stale check: a resolution made on an old view names hosts or VMs that are not blocked now. It is refused as
 * stale rather than guessed at. Whether it resolves every blocker is the workflow rules' call (applyResolution).
 */
export function staleProblems(
  resolution: Resolution,
  stored: HostBlockers[],
  jobHostIds: readonly string[],
): string[] {
  const problems: string[] = [];
  const byHost = new Map(stored.map((h) => [h.hostId, h]));
  const jobHosts = new Set(jobHostIds);
  for (const h of resolution.hosts) {
    const blocked = byHost.get(h.hostId);
    if (!blocked) {
      if (!jobHosts.has(h.hostId)) problems.push(`host ${h.hostId} is not part of this job`);
      else if (h.vms.length) problems.push(`host ${h.hostId} has no blockers now`);
      continue;
    }
    const blockedVms = new Set(blocked.blockers.map((b) => b.vmId));
    for (const v of h.vms)
      if (!blockedVms.has(v.vmId)) problems.push(`VM ${v.vmId} is not a blocker on ${h.hostId}`);
  }
  return problems;
}

/** Every host of the job: the blocked ones, the ones the workflow listed in details, and the cluster's hosts. */
async function jobHostIds(deps: UseCaseDeps, job: Job, stored: HostBlockers[]): Promise<string[]> {
  const ids = new Set(stored.map((h) => h.hostId));
  const listed = job.details.hostIds;
  if (Array.isArray(listed)) for (const h of listed) if (typeof h === 'string') ids.add(h);
  if (job.target.kind === 'cluster') {
    const page = await deps.store.listRecordsByParent(INVENTORY_TYPES.host, job.target.id, { limit: 1000 });
    for (const r of page.items) ids.add(r.id);
  } else if (job.target.kind === 'host') ids.add(job.target.id);
  return [...ids];
}

export async function loadPaused(deps: UseCaseDeps, jobId: string, expectedVersion?: number): Promise<Job> {
  const job = await deps.store.getJob(jobId);
  if (!job) throw new NotFoundError('job', jobId);
  if (job.status !== 'paused') throw new StaleJobError(job.id, `job ${job.id} is ${job.status}, not paused`);
  if (expectedVersion !== undefined && expectedVersion !== job.version)
    throw new StaleJobError(job.id, `job ${job.id} changed since this card was sent`);
  return job;
}

export async function wake(
  deps: UseCaseDeps,
  job: Job,
  actor: Actor,
  event: { resolutionId?: string; force?: boolean },
  output: ResumeTaskOutput,
): Promise<Job> {
  const token = await deps.store.getJobItem<ResumeToken>(job.id, 'token', 'resume');
  if (!token) throw new JobStateError(`job ${job.id} is paused but has no resume token`);
  let resumed: Job;
  try {
    resumed = await deps.store.transitionJob(job.id, { type: 'resume', actor, ...event }, job.version);
  } catch (err) {
    if (err instanceof ConflictError) throw new StaleJobError(job.id, `job ${job.id} changed while resuming`);
    throw err;
  }
  await deps.store.deleteJobItem(job.id, 'token', 'resume');
  await deps.orchestrator.sendTaskSuccess(token.taskToken, output);
  return resumed;
}

/** Resume a job paused for blockers (or for an operator) with a validated resolution. */
export async function resumeJob(
  deps: UseCaseDeps,
  input: ResumeInput,
): Promise<{ job: Job; resolutionId: string }> {
  const job = await loadPaused(deps, input.jobId, input.expectedVersion);
  const resolution = parseOrThrow(Resolution, input.resolution, 'resolution');
  if (resolution.jobId !== job.id)
    throw new ValidationError(`this resolution is for job ${resolution.jobId}, not ${job.id}`);
  const stored = await loadBlockers(deps.store, job.id);
  const hostIds = await jobHostIds(deps, job, stored);
  const problems = staleProblems(resolution, stored, hostIds);
  if (problems.length) {
    throw new StaleJobError(
      job.id,
      `the resolution does not match the blockers of job ${job.id}: ${problems.join('; ')}`,
    );
  }
  // Throws ResolutionRejectedError naming every blocker left unresolved; nothing is written then.
  applyResolution(
    { blockers: Object.fromEntries(stored.map((h) => [h.hostId, h.blockers])), hostIds },
    resolution.hosts,
    {
      ...(resolution.hostOrder ? { hostOrder: resolution.hostOrder } : {}),
      ...(resolution.batchSize ? { batchSize: resolution.batchSize } : {}),
    },
  );
  const resolutionId = newId();
  const hosts: HostResolution[] = resolution.hosts;
  for (const h of hosts) await deps.store.putJobItem(job.id, 'resolution', h.hostId, { ...h, resolutionId });
  await deps.store.putJobItem(job.id, 'resolution', RESOLUTION_ORDER_KEY, {
    resolutionId,
    ...(resolution.hostOrder ? { hostOrder: resolution.hostOrder } : {}),
    ...(resolution.batchSize ? { batchSize: resolution.batchSize } : {}),
    ...(resolution.forceBatchSizeBy ? { forceBatchSizeBy: resolution.forceBatchSizeBy } : {}),
  });
  const resumed = await wake(deps, job, input.actor, { resolutionId }, { resolutionId, resolutions: hosts });
  await deps.store.recordAudit({
    actor: input.actor,
    action: 'job.resume',
    jobId: job.id,
    detail: {
      resolutionId,
      hosts: hosts.map((h) => ({
        hostId: h.hostId,
        skip: h.skipHost,
        vms: h.vms.map((v) => `${v.vmId}:${v.action}`),
      })),
    },
  });
  return { job: resumed, resolutionId };
}

/** Resume without a resolution: a named person takes responsibility. Audited with the reason they give. */
export async function forceResumeJob(
  deps: UseCaseDeps,
  input: { jobId: string; actor: Actor; reason: string; expectedVersion?: number },
): Promise<Job> {
  if (input.actor.kind !== 'user') throw new ValidationError('only a named person may force a resume');
  if (!input.reason.trim()) throw new ValidationError('a forced resume needs a reason');
  const job = await loadPaused(deps, input.jobId, input.expectedVersion);
  const resumed = await wake(
    deps,
    job,
    input.actor,
    { force: true },
    { forcedBy: input.actor, resolutions: [] },
  );
  await deps.store.recordAudit({
    actor: input.actor,
    action: 'job.force_resume',
    jobId: job.id,
    detail: { reason: input.reason },
  });
  return resumed;
}
