import { FailoverTestParams } from '../failover/failover-test.schema';
import { FailoverParams } from '../failover/failover.schema';
import type { Actor, Job, JobTarget, JobType } from '../jobs/job.schema';
import type { z } from 'zod';
import { newId } from '../util/ids';
import { MediaMountParams, ScpDiffParams, ScpRestoreParams } from '../workflows/params';
import { ValidationError } from '../util/errors';
import { type UseCaseDeps, scheduleName } from './deps';

export interface CreateJobInput {
  type: JobType;
  target: JobTarget;
  params?: Record<string, unknown>;
  actor: Actor;
  /** Production targets need a second person's approval before the job starts (four-eyes). */
  production: boolean;
  /** ISO time; absent or not in the future = start now. */
  scheduleAt?: string;
  /** The chat conversation that asked, for proactive messages. */
  conversationId?: string;
}

export type CreateJobOutcome = 'started' | 'scheduled' | 'awaiting_approval' | 'not_started';

/** Scheduled times may be a little in the past (typing takes time); more than this is a mistake. */
const PAST_TOLERANCE_MS = 60_000;

export async function createJob(
  deps: UseCaseDeps,
  input: CreateJobInput,
): Promise<{ job: Job; outcome: CreateJobOutcome }> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  let scheduleAt = nowIso;
  if (input.scheduleAt) {
    const at = new Date(input.scheduleAt);
    if (Number.isNaN(at.getTime())) throw new ValidationError(`"${input.scheduleAt}" is not a time`);
    if (at.getTime() < now.getTime() - PAST_TOLERANCE_MS)
      throw new ValidationError(`${at.toISOString()} is in the past`);
    if (at.getTime() > now.getTime()) scheduleAt = at.toISOString();
  }
  checkParams(input);
  const job = await deps.store.createJob({
    id: newId(now.getTime()),
    type: input.type,
    target: input.target,
    params: input.params ?? {},
    details: {},
    createdBy: input.actor,
    createdAt: nowIso,
    scheduleAt,
    requiresApproval: input.production,
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
  });
  // store.createJob records the 'job.create' audit event itself.
  if (job.requiresApproval) {
    await deps.store.putJobItem(job.id, 'approval', 'request', {
      requestedBy: input.actor,
      at: nowIso,
    });
    await deps.notifier.notify({
      kind: 'approval_needed',
      jobId: job.id,
      requestedBy: input.actor.name ?? input.actor.id,
    });
    return { job, outcome: 'awaiting_approval' };
  }
  return launchJob(deps, job, input.actor);
}

/**
 * Params a job's command will carry are checked when the job is created, so a URL the outbound policy refuses
 * (or any other bad value) is refused in chat with the field named, and nothing is created.
 */
const CHECKED_PARAMS: Partial<Record<JobType, z.ZodType>> = {
  virtual_media_mount: MediaMountParams,
  scp_diff: ScpDiffParams,
  scp_restore: ScpRestoreParams,
  failover_test: FailoverTestParams,
  failover: FailoverParams,
};

function checkParams(input: CreateJobInput): void {
  const schema = CHECKED_PARAMS[input.type];
  if (!schema) return;
  const parsed = schema.safeParse(input.params ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ValidationError(`params.${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
}

/** Start now, or schedule for later; shared by create and approve. */
export async function launchJob(
  deps: UseCaseDeps,
  job: Job,
  actor: Actor,
): Promise<{ job: Job; outcome: CreateJobOutcome }> {
  // Defence in depth for four-eyes: nothing starts or is scheduled while an approval is outstanding.
  if (job.requiresApproval && !job.approvedBy) return { job, outcome: 'awaiting_approval' };
  const now = deps.clock.now();
  if (new Date(job.scheduleAt).getTime() > now.getTime()) {
    await deps.scheduler.scheduleAt({
      name: scheduleName(job.id),
      at: job.scheduleAt,
      target: { kind: 'job', jobId: job.id },
    });
    await deps.store.recordAudit({
      actor,
      action: 'job.schedule',
      jobId: job.id,
      detail: { at: job.scheduleAt },
    });
    return { job, outcome: 'scheduled' };
  }
  const started = await deps.startJob(job.id, actor);
  return started ? { job: started, outcome: 'started' } : { job, outcome: 'not_started' };
}
