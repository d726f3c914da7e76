import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { ExecutionStatus } from './execution-record';

/** How an execution that threw ended, in Step Functions' terms (status, Error, Cause). */
export function outcomeOf(err: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const inner = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : err;
  if (inner instanceof Error) return { status: 'FAILED', error: inner.name, cause: inner.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(inner) };
}
