import { type Actor, type Job, isTerminal } from '../jobs/job.schema';
import { ConflictError, NotFoundError } from '../util/errors';
import { type UseCaseDeps, scheduleName } from './deps';
import { JobStateError, StaleJobError } from './errors';

export type CancelMode = 'graceful' | 'immediate';

export interface CancelInput {
  jobId: string;
  mode: CancelMode;
  actor: Actor;
  reason?: string;
}

/** The task-token item JobOps stores when a workflow pauses for a human. */
export interface ResumeToken {
  taskToken: string;
}

/**
 * Cancel per the cancel contract: a job that never started is cancelled at once (and its schedule removed); a
 * running or paused job gets `cancelRequested`, which the workflow honours at its next check and then cleans up
 * (restores HA) before finishing as cancelled. A paused workflow is waiting on a task token and would never reach
 * that check, so it is woken with a `JobCancelled` task failure, which the workflow routes to its cleanup.
 * We never stop an execution here: stopping skips cleanup.
 */
export async function cancelJob(
  deps: UseCaseDeps,
  input: CancelInput,
): Promise<{ job: Job; effect: 'cancelled' | 'requested' }> {
  const job = await deps.store.getJob(input.jobId);
  if (!job) throw new NotFoundError('job', input.jobId);
  if (isTerminal(job.status)) throw new JobStateError(`job ${job.id} is already ${job.status}`);
  const by = input.actor.name ?? input.actor.id;

  if (job.status === 'pending') {
    await deps.scheduler.cancel(scheduleName(job.id));
    let cancelled: Job;
    try {
      cancelled = await deps.store.transitionJob(
        job.id,
        {
          type: 'cancel',
          actor: input.actor,
          reason: input.reason ?? `cancelled by ${by} before it started`,
        },
        job.version,
      );
    } catch (err) {
      // Lost a race with the scheduler's claim: the job is running now; ask again through the running path.
      if (err instanceof ConflictError) return cancelJob(deps, input);
      throw err;
    }
    await deps.store.recordAudit({
      actor: input.actor,
      action: 'job.cancel',
      jobId: job.id,
      detail: { mode: input.mode },
    });
    return { job: cancelled, effect: 'cancelled' };
  }

  // Never downgrade an immediate request to graceful.
  const mode: CancelMode = job.cancelRequested === 'immediate' ? 'immediate' : input.mode;
  // An immediate cancel also stops hosts in flight at their next checkpoint: the job's stop reason, the one
  // mechanism a window's end uses too.
  const updated = await deps.store.updateJob(job.id, {
    cancelRequested: mode,
    ...(mode === 'immediate' && !job.stopReason
      ? {
          stopReason: { kind: 'cancel_now' as const, at: deps.clock.now().toISOString(), detail: `by ${by}` },
        }
      : {}),
  });
  await deps.store.recordAudit({
    actor: input.actor,
    action: 'job.cancel_request',
    jobId: job.id,
    detail: { mode, status: job.status },
  });
  if (job.status === 'paused') {
    const token = await deps.store.getJobItem<ResumeToken>(job.id, 'token', 'resume');
    if (!token) throw new StaleJobError(job.id, `job ${job.id} is paused but has no resume token`);
    await deps.orchestrator.sendTaskFailure(
      token.taskToken,
      'JobCancelled',
      `cancel (${mode}) requested by ${by}`,
    );
  }
  return { job: updated, effect: 'requested' };
}
