import {
  type HostResolution,
  RESOLUTION_ORDER_KEY,
  Resolution,
  type ResumeTaskOutput,
} from '../blockers/resolution.schema';
import type { Actor, Job } from '../jobs/job.schema';
import { ConflictError, NotFoundError, ValidationError } from '../util/errors';
import { newId } from '../util/ids';
import { parseOrThrow } from '../util/zod-errors';
import type { ResumeToken } from './cancel-job';
import type { UseCaseDeps } from './deps';
import { JobStateError, StaleJobError } from './errors';
import { type HostBlockers, NOT_MIGRATABLE, loadBlockers } from './stored-blockers';

export interface ResumeInput {
  jobId: string;
  actor: Actor;
  resolution: unknown;
  /** The job version the card showed; another version means the card is stale. */
  expectedVersion?: number;
}

/**
 * Check a resolution against the blockers stored when the job paused. Anything that does not match them exactly
 * (a host or VM that is not blocked, a blocked VM left undecided) means the resolution was made on an old view:
 * it is refused as stale rather than guessed at.
 */
export function checkResolution(resolution: Resolution, stored: HostBlockers[]): string[] {
  const problems: string[] = [];
  const byHost = new Map(stored.map((h) => [h.hostId, h]));
  const given = new Map(resolution.hosts.map((h) => [h.hostId, h]));
  for (const h of resolution.hosts)
    if (!byHost.has(h.hostId)) problems.push(`host ${h.hostId} has no blockers in this job`);
  for (const h of stored) {
    const r = given.get(h.hostId);
    if (!r) {
      problems.push(`host ${h.hostId} has blockers but no decision`);
      continue;
    }
    if (r.skipHost) continue;
    const actions = new Map(r.vms.map((v) => [v.vmId, v.action]));
    const blockedVms = new Set(h.blockers.map((b) => b.vmId));
    for (const v of r.vms)
      if (!blockedVms.has(v.vmId)) problems.push(`VM ${v.vmId} is not a blocker on ${h.hostId}`);
    for (const b of h.blockers) {
      const action = actions.get(b.vmId);
      if (!action) problems.push(`VM ${b.vmName} on ${h.hostId} has no action`);
      else if (action === 'acknowledge' && b.severity === 'critical')
        problems.push(`VM ${b.vmName} (${b.reason}) is critical: acknowledge is not enough`);
      else if (action === 'migrate' && NOT_MIGRATABLE.has(b.reason))
        problems.push(`VM ${b.vmName} cannot be migrated (${b.reason})`);
    }
  }
  return problems;
}

async function loadPaused(deps: UseCaseDeps, jobId: string, expectedVersion?: number): Promise<Job> {
  const job = await deps.store.getJob(jobId);
  if (!job) throw new NotFoundError('job', jobId);
  if (job.status !== 'paused') throw new StaleJobError(job.id, `job ${job.id} is ${job.status}, not paused`);
  if (expectedVersion !== undefined && expectedVersion !== job.version)
    throw new StaleJobError(job.id, `job ${job.id} changed since this card was sent`);
  return job;
}

async function wake(
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
  const problems = checkResolution(resolution, stored);
  if (problems.length) {
    throw new StaleJobError(
      job.id,
      `the resolution does not match the blockers of job ${job.id}: ${problems.join('; ')}`,
    );
  }
  if (resolution.hostOrder) {
    const known = new Set([...stored.map((h) => h.hostId)]);
    const hosts = (job.details.hostIds as unknown[] | undefined)?.filter(
      (h): h is string => typeof h === 'string',
    );
    for (const h of hosts ?? []) known.add(h);
    const unknown = resolution.hostOrder.filter((h) => hosts && !known.has(h));
    if (unknown.length) throw new ValidationError(`hosts not in this job: ${unknown.join(', ')}`);
  }
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
