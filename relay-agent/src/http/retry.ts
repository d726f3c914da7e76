import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from './errors';

export interface RetryPolicy {
  /** Total attempts including the first. @default 4 */
  readonly attempts: number;
  /** First backoff; doubles each retry. @default 250 */
  readonly baseDelayMs: number;
  /** @default 5000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000 };

/** Full jitter (AWS architecture blog): spreads retries from many agents/devices apart. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

/**
 * Retries only transient device faults (DeviceError.retryable: 5xx, resets, timeouts).
 * A 4xx or a malformed answer is returned at once: repeating it cannot help and may do harm.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const last = attempt + 1 >= policy.attempts;
      if (last || !(err instanceof DeviceError) || !err.retryable || signal?.aborted) throw err;
      await sleep(backoffDelay(policy, attempt), undefined, signal ? { signal } : undefined);
    }
  }
}
