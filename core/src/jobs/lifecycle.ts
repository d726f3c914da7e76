import { RackOpsError } from '../util/errors';
import { type Actor, type Job, type JobStatus, isTerminal } from './job.schema';

/** What may happen to a job. Each event names who caused it. */
export type JobEvent =
  | { type: 'start'; actor: Actor }
  | { type: 'pause'; actor: Actor; reason: string; kind: 'blockers' | 'approval' | 'operator' }
  | { type: 'resume'; actor: Actor; resolutionId?: string; force?: boolean }
  | { type: 'complete'; actor: Actor; summary?: string }
  /** `summary`: the job's report line, written with the status so nobody reads a failed job without it. */
  | { type: 'fail'; actor: Actor; error: string; summary?: string }
  | { type: 'cancel'; actor: Actor; reason?: string };

export type JobEventType = JobEvent['type'];

/** The lifecycle table: for each event, the statuses it may leave from and the status it leads to. */
export const LIFECYCLE: Readonly<Record<JobEventType, { from: readonly JobStatus[]; to: JobStatus }>> = {
  start: { from: ['pending'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  fail: { from: ['pending', 'running', 'paused'], to: 'failed' },
  cancel: { from: ['pending', 'running', 'paused'], to: 'cancelled' },
};

export class InvalidTransitionError extends RackOpsError {
  constructor(
    readonly jobId: string,
    readonly from: JobStatus,
    readonly event: JobEventType,
    detail?: string,
  ) {
    super('invalid_transition', `job ${jobId} is ${from}: cannot ${event}${detail ? ` (${detail})` : ''}`);
  }
}

export type JobPatch = Pick<Job, 'status'> &
  Partial<Pick<Job, 'startedAt' | 'completedAt' | 'pausedReason' | 'pauseKind' | 'summary' | 'error'>> & {
    /** Fields to remove from the item. */
    clear: ('pausedReason' | 'pauseKind')[];
  };

/**
 * The single place where job status changes are decided. Pure: returns the patch to write, or throws
 * InvalidTransitionError and nothing is written.
 */
export function planTransition(
  job: Pick<Job, 'id' | 'status' | 'startedAt'>,
  event: JobEvent,
  now: string,
): JobPatch {
  const rule = LIFECYCLE[event.type];
  if (isTerminal(job.status))
    throw new InvalidTransitionError(job.id, job.status, event.type, 'terminal states are final');
  if (!rule.from.includes(job.status)) throw new InvalidTransitionError(job.id, job.status, event.type);
  if (!event.actor.id)
    throw new InvalidTransitionError(job.id, job.status, event.type, 'an actor is required');

  const patch: JobPatch = { status: rule.to, clear: [] };
  switch (event.type) {
    case 'start':
      if (!job.startedAt) patch.startedAt = now;
      break;
    case 'pause':
      if (!event.reason.trim())
        throw new InvalidTransitionError(job.id, job.status, 'pause', 'a paused job needs a reason');
      patch.pausedReason = event.reason;
      patch.pauseKind = event.kind;
      break;
    case 'resume':
      if (!event.resolutionId && !(event.force && event.actor.kind === 'user')) {
        throw new InvalidTransitionError(
          job.id,
          job.status,
          'resume',
          'resuming needs a resolution, or force by a named person',
        );
      }
      patch.clear.push('pausedReason', 'pauseKind');
      break;
    case 'complete':
    case 'fail':
    case 'cancel': {
      // completedAt >= startedAt; a job that never ran gets both stamps at once.
      const started = job.startedAt ?? now;
      patch.completedAt = now < started ? started : now;
      if (!job.startedAt) patch.startedAt = started;
      patch.clear.push('pausedReason', 'pauseKind');
      if (event.type === 'complete' && event.summary) patch.summary = event.summary;
      if (event.type === 'fail') patch.error = event.error;
      if (event.type === 'fail' && event.summary) patch.summary = event.summary;
      if (event.type === 'cancel' && event.reason) patch.summary = event.reason;
      break;
    }
  }
  return patch;
}
