import { randomBytes } from 'node:crypto';
import { TaskFailedError, invalidToken, taskDoesNotExist, taskTimedOut } from './engine-errors';

const TOKEN_PREFIX = 'lsfn1.';
const TOKEN_SHAPE = /^lsfn1\.[A-Za-z0-9_-]{32,}$/;
/** How many timed-out tokens are remembered (oldest forgotten first): enough for any answer still in flight. */
const TIMED_OUT_MEMORY = 1000;

/** A fresh opaque token. Unguessable, like AWS's: the token is the only credential SendTaskSuccess needs. */
export const mintTaskToken = (): string => TOKEN_PREFIX + randomBytes(32).toString('base64url');

interface Waiter {
  executionId: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
  heartbeatMs?: number;
  heartbeatTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  timeoutTimer?: NodeJS.Timeout;
}

export interface WaitOptions {
  executionId: string;
  stateName: string;
  /** Scaled HeartbeatSeconds in ms: no heartbeat for this long fails the task with States.HeartbeatTimeout. */
  heartbeatMs?: number;
  /**
   * Scaled TimeoutSeconds in ms. The engine (aws-local-stepfunctions) raises States.Timeout itself so Catch
   * and Retry treat it like AWS does; this only marks the token timed out (a late answer gets TaskTimedOut),
   * and `cleanupAfterMs` frees it shortly afterwards.
   */
  timeoutMs?: number;
  cleanupAfterMs?: number;
}

/**
 * Tasks waiting for SendTaskSuccess/Failure (`.waitForTaskToken`). In memory: after a restart the engine
 * re-registers the tokens of the states it resumes.
 */
export class TaskTokenRegistry {
  private readonly waiters = new Map<string, Waiter>();
  /** Tokens whose task timed out, so a late answer gets TaskTimedOut (as from AWS), not TaskDoesNotExist. */
  private readonly timedOut = new Set<string>();

  /** Register `token` and return the promise the Task state awaits. Register BEFORE the worker can answer. */
  wait(token: string, opts: WaitOptions): Promise<unknown> {
    this.waiters.get(token)?.reject(new TaskFailedError('States.Runtime', 'task token re-registered'));
    let resolve!: (output: unknown) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter: Waiter = {
      executionId: opts.executionId,
      stateName: opts.stateName,
      resolve,
      reject,
      heartbeatMs: opts.heartbeatMs,
    };
    this.waiters.set(token, waiter);
    this.armHeartbeat(token, waiter);
    if (opts.timeoutMs !== undefined) {
      waiter.timeoutTimer = setTimeout(() => this.rememberTimedOut(token), opts.timeoutMs);
    }
    if (opts.cleanupAfterMs !== undefined) {
      waiter.deadlineTimer = setTimeout(() => {
        this.rememberTimedOut(token);
        this.settle(token, (w) => w.reject(new TaskFailedError('States.Timeout', 'task timed out')));
      }, opts.cleanupAfterMs);
    }
    return promise;
  }

  has(token: string): boolean {
    return this.waiters.has(token);
  }

  success(token: string, output: unknown): void {
    this.check(token);
    this.settle(token, (w) => w.resolve(output));
  }

  failure(token: string, error: string, cause: string): void {
    this.check(token);
    this.settle(token, (w) => w.reject(new TaskFailedError(error || 'States.TaskFailed', cause)));
  }

  heartbeat(token: string): void {
    this.check(token);
    const waiter = this.waiters.get(token);
    if (waiter) this.armHeartbeat(token, waiter);
  }

  /** Fail every task of an execution (stopped, shut down): settles the awaiting promises so timers clear. */
  cancelExecution(executionId: string, reason: string): void {
    for (const [token, w] of [...this.waiters]) {
      if (w.executionId === executionId)
        this.settle(token, (x) => x.reject(new TaskFailedError('States.Runtime', reason)));
    }
  }

  /** Forget a token without settling it (its task already ended another way). */
  discard(token: string): void {
    this.settle(token, () => {});
  }

  tokensOf(executionId: string): string[] {
    return [...this.waiters].filter(([, w]) => w.executionId === executionId).map(([t]) => t);
  }

  size(): number {
    return this.waiters.size;
  }

  private check(token: string): void {
    if (!TOKEN_SHAPE.test(token)) throw invalidToken(token);
    if (this.waiters.has(token)) return;
    if (this.timedOut.has(token)) throw taskTimedOut(token);
    throw taskDoesNotExist(token);
  }

  private rememberTimedOut(token: string): void {
    if (!this.waiters.has(token)) return;
    this.timedOut.add(token);
    if (this.timedOut.size > TIMED_OUT_MEMORY) {
      const oldest = this.timedOut.values().next().value;
      if (oldest !== undefined) this.timedOut.delete(oldest);
    }
  }

  private armHeartbeat(token: string, waiter: Waiter): void {
    if (waiter.heartbeatMs === undefined) return;
    if (waiter.heartbeatTimer) clearTimeout(waiter.heartbeatTimer);
    waiter.heartbeatTimer = setTimeout(() => {
      this.rememberTimedOut(token);
      this.settle(token, (w) =>
        w.reject(new TaskFailedError('States.HeartbeatTimeout', `no heartbeat from ${w.stateName} in time`)),
      );
    }, waiter.heartbeatMs);
  }

  private settle(token: string, how: (w: Waiter) => void): void {
    const waiter = this.waiters.get(token);
    if (!waiter) return;
    this.waiters.delete(token);
    if (waiter.heartbeatTimer) clearTimeout(waiter.heartbeatTimer);
    if (waiter.deadlineTimer) clearTimeout(waiter.deadlineTimer);
    if (waiter.timeoutTimer) clearTimeout(waiter.timeoutTimer);
    how(waiter);
  }
}
