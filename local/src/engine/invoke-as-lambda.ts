import { TaskFailedError } from './engine-errors';
import type { EngineFunction } from './local-engine-options';

/**
 * Call an in-process function the way Lambda does: JSON in and out (no shared objects), and a thrown error
 * becomes the task's failure with Lambda's shape (Error = the error type, Cause = JSON errorType/errorMessage).
 */
export async function invokeAsLambda(fn: EngineFunction, payload: unknown): Promise<unknown> {
  try {
    return JSON.parse(JSON.stringify((await fn(JSON.parse(JSON.stringify(payload ?? null)))) ?? null));
  } catch (err) {
    if (err instanceof TaskFailedError) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    throw new TaskFailedError(
      e.name || 'Error',
      JSON.stringify({ errorType: e.name, errorMessage: e.message }),
    );
  }
}
