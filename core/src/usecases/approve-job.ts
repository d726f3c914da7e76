import type { Actor, Job } from '../jobs/job.schema';
import { samePerson } from '../jobs/same-person';
import { ConflictError, NotFoundError } from '../util/errors';
import { type CreateJobOutcome, launchJob } from './create-job';
import type { UseCaseDeps } from './deps';
import { FourEyesError, JobStateError, StaleJobError, UnresolvedIdentityError } from './errors';

interface DecisionInput {
  jobId: string;
  actor: Actor;
  /** The job version the approver saw (from the card); a different version means the card is stale. */
  expectedVersion?: number;
  comment?: string;
}

async function loadPendingApproval(deps: UseCaseDeps, input: DecisionInput): Promise<Job> {
  const job = await deps.store.getJob(input.jobId);
  if (!job) throw new NotFoundError('job', input.jobId);
  if (!job.requiresApproval) throw new JobStateError(`job ${job.id} does not need approval`);
  if (job.status !== 'pending') throw new StaleJobError(job.id, `job ${job.id} is already ${job.status}`);
  if (job.approvedBy)
    throw new StaleJobError(
      job.id,
      `job ${job.id} was already approved by ${job.approvedBy.name ?? job.approvedBy.id}`,
    );
  if (input.expectedVersion !== undefined && input.expectedVersion !== job.version)
    throw new StaleJobError(job.id, `job ${job.id} changed since this card was sent`);
  return job;
}

/** Four-eyes approval: a different person than the requester approves; then the job starts or is scheduled. */
export async function approveJob(
  deps: UseCaseDeps,
  input: DecisionInput,
): Promise<{ job: Job; outcome: CreateJobOutcome }> {
  const job = await loadPendingApproval(deps, input);
  if (input.actor.kind !== 'user') throw new FourEyesError(job.id);
  const verdict = samePerson(input.actor, job.createdBy);
  if (verdict === 'same') throw new FourEyesError(job.id);
  if (verdict === 'unknown') throw new UnresolvedIdentityError(job.id);
  let approved: Job;
  try {
    approved = await deps.store.updateJob(job.id, { approvedBy: input.actor }, job.version);
  } catch (err) {
    if (err instanceof ConflictError)
      throw new StaleJobError(job.id, `job ${job.id} changed while approving`);
    throw err;
  }
  const at = deps.clock.now().toISOString();
  await deps.store.putJobItem(job.id, 'approval', 'decision', {
    decision: 'approved',
    by: input.actor,
    at,
    ...(input.comment ? { comment: input.comment } : {}),
  });
  await deps.store.recordAudit({
    actor: input.actor,
    action: 'job.approve',
    jobId: job.id,
    detail: { requestedBy: job.createdBy.id },
  });
  return launchJob(deps, approved, input.actor);
}

/** Reject: the job is cancelled before it ever ran. Anyone with the approver role may reject, requester included. */
export async function rejectJob(deps: UseCaseDeps, input: DecisionInput): Promise<Job> {
  const job = await loadPendingApproval(deps, input);
  const by = input.actor.name ?? input.actor.id;
  let rejected: Job;
  try {
    rejected = await deps.store.transitionJob(
      job.id,
      {
        type: 'cancel',
        actor: input.actor,
        reason: `rejected by ${by}${input.comment ? `: ${input.comment}` : ''}`,
      },
      job.version,
    );
  } catch (err) {
    if (err instanceof ConflictError)
      throw new StaleJobError(job.id, `job ${job.id} changed while rejecting`);
    throw err;
  }
  await deps.store.putJobItem(job.id, 'approval', 'decision', {
    decision: 'rejected',
    by: input.actor,
    at: deps.clock.now().toISOString(),
  });
  await deps.store.recordAudit({ actor: input.actor, action: 'job.reject', jobId: job.id });
  return rejected;
}
