import { type Actor, type Job, SYSTEM } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import type { Orchestrator } from '../ports/orchestrator.port';
import type { JobStore } from '../ports/job-store.port';
import type { StepLogStore } from '../ports/step-log-store.port';
import type { WorkflowInput } from '../workflows/index';
import { workflowForJobType } from '../workflows/registry';

export interface StartJobDeps {
  store: JobStore & StepLogStore;
  orchestrator: Orchestrator;
  clock: Clock;
}

/** The execution input: only the job id; the workflow reads the job from the Store (nothing else is trusted). */
export const workflowInput = (job: Job): WorkflowInput => ({ jobId: job.id });

/**
 * Claim a due job and start its workflow. The claim is one conditional write, so when the scheduler and a
 * person race, exactly one starts it; the loser gets undefined. The execution is named by the job id, so a
 * retried start cannot create a second one. If the workflow cannot be started the job fails with the reason:
 * a running job without an execution would wait forever.
 */
export async function startJob(deps: StartJobDeps, jobId: string, actor: Actor): Promise<Job | undefined> {
  const claimed = await deps.store.claimJob(jobId, actor, deps.clock.now().toISOString());
  if (!claimed) return undefined;
  try {
    const workflow = workflowForJobType(claimed.type);
    const { executionId } = await deps.orchestrator.startExecution({
      workflow,
      name: claimed.id,
      input: workflowInput(claimed),
    });
    await deps.store.appendLog({ jobId, level: 'info', message: `workflow ${workflow} started` });
    return await deps.store.updateJob(jobId, { executionId });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await deps.store.appendLog({ jobId, level: 'error', message: `could not start the workflow: ${reason}` });
    return deps.store.transitionJob(jobId, {
      type: 'fail',
      actor: SYSTEM,
      error: `could not start the workflow: ${reason}`,
    });
  }
}

/** How an execution ended, as Step Functions reports it (EventBridge status change) or the local engine does. */
export interface EndedExecution {
  /** The execution name: the job id. */
  name: string;
  executionId: string;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  error?: string;
  cause?: string;
}

/**
 * A workflow finishes its job itself (JobOps `finish`), on every path its ASL catches. If the execution ends
 * and the job is still not terminal (an uncaught error, a stop, a timeout), the job is failed with why: a
 * running job with no execution behind it would wait forever. Returns the failed job, or undefined if there
 * was nothing to do.
 */
export async function failJobOfEndedExecution(
  deps: { store: JobStore & StepLogStore },
  ended: EndedExecution,
): Promise<Job | undefined> {
  const job = await deps.store.getJob(ended.name);
  // The job may not carry the execution id yet if the execution ended very fast.
  if (!job || job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled')
    return undefined;
  if (job.executionId && job.executionId !== ended.executionId) return undefined;
  if (job.status === 'pending') return undefined;
  const why =
    ended.status === 'SUCCEEDED'
      ? 'the workflow ended without finishing the job'
      : `the workflow ${ended.status.toLowerCase().replace('_', ' ')}${ended.error ? `: ${ended.error}` : ''}${
          ended.cause ? ` (${ended.cause.slice(0, 500)})` : ''
        }`;
  await deps.store.appendLog({ jobId: job.id, level: 'error', message: why });
  return deps.store.transitionJob(job.id, { type: 'fail', actor: SYSTEM, error: why });
}
