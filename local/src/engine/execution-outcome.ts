import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { ExecutionRecord, ExecutionStatus } from './execution-record';

/** How an execution that threw ended, in Step Functions' terms (status, Error, Cause). */
export function outcomeOf(err: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const inner = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : err;
  if (inner instanceof Error) return { status: 'FAILED', error: inner.name, cause: inner.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(inner) };
}

type Outcome = { status: ExecutionStatus; output?: unknown; error?: string; cause?: string };

/**
 * The ended execution's record: a stop (StopExecution) wins, then a terminal error the engine found itself
 * (`fatal`: States.DataLimitExceeded), then how the run ended.
 */
export function endedRecord(
  rec: ExecutionRecord,
  outcome: Outcome,
  how: { stopped: boolean; fatal?: { error: string; cause: string }; at: string },
): ExecutionRecord {
  const fatal = how.stopped ? undefined : how.fatal;
  const status = how.stopped ? 'ABORTED' : fatal ? 'FAILED' : outcome.status;
  // A failure on an oversized state drops its checkpoint (the oversized input): nothing resumes a failed run.
  const { checkpoint, ...kept } = rec;
  return {
    ...(fatal ? kept : rec),
    status,
    output: status === 'SUCCEEDED' ? outcome.output : undefined,
    error: status === 'ABORTED' ? undefined : (fatal?.error ?? outcome.error),
    cause: status === 'ABORTED' ? rec.cause : (fatal?.cause ?? outcome.cause),
    stoppedAt: how.at,
  };
}
