import '@rackops/core/polyfills';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { Store } from '@rackops/core/ports/store.port';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import { type Logger, pino } from 'pino';
import {
  EngineApiError,
  TaskFailedError,
  executionAlreadyExists,
  executionDoesNotExist,
  stateMachineDoesNotExist,
} from './engine-errors';
import {
  type ExecutionRecord,
  type ExecutionStatus,
  listExecutions,
  listRunningExecutions,
  loadExecution,
  saveExecution,
} from './execution-record';
import { type PreparedDefinition, type TaskStateInfo, prepareDefinition } from './prepare-definition';
import { type TaskInvocation, resolveTask } from './task-resources';
import { TaskTokenRegistry, mintTaskToken } from './task-tokens';

/** An in-process Lambda: gets the JSON payload, returns the JSON result or throws (error name = ASL Error). */
export type EngineFunction = (payload: unknown) => Promise<unknown>;

export interface LocalEngineOptions {
  store: Store;
  /** Workflow name -> ASL definition with substitutions already applied. */
  definitions: Record<string, object>;
  /** Function ARN (or bare function name) -> in-process handler. */
  functions: Record<string, EngineFunction>;
  /** Multiplies every ASL duration (HeartbeatSeconds, TimeoutSeconds, Wait, Retry): the lab's convention. @default 1 */
  timeScale?: number;
  /** Floors for scaled heartbeats and timeouts, in real ms (see PrepareOptions). */
  minHeartbeatMs?: number;
  minTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called once an execution ends (not on engine shutdown). The stack fails orphaned jobs from here. */
  onExecutionEnd?: (rec: ExecutionRecord) => Promise<void> | void;
  /** Called on every state entered (what Step Functions bills as a transition): the cost meter. */
  onTransition?: () => void;
  /**
   * A directory remembering definitions that passed validation (by content hash), so restarts skip the
   * validator (~1 s per definition: it compiles its JSON schemas on every call).
   */
  validationCacheDir?: string;
}

/** `$$.Task.Token` resolves to this; the Task handler swaps it for a freshly minted token. */
const TOKEN_PLACEHOLDER = '__rackops_local_task_token__';
const ARN_PREFIX = 'arn:aws:states:local:000000000000';

/** The ARN a workflow's state machine has on the local engine (what `STATE_MACHINE_ARNS` holds in AWS). */
export const localStateMachineArn = (workflow: string): string => `${ARN_PREFIX}:stateMachine:${workflow}`;

interface LiveExecution {
  rec: ExecutionRecord;
  abort: () => void;
  done: Promise<void>;
  stopping?: 'stop' | 'shutdown';
  /** Resume: the checkpointed state re-uses its token once. */
  reuse?: { state: string; token: string };
  persist: Promise<void>;
  /** The event-log consumer (checkpoints, transition count); ends when the execution does. */
  follow: Promise<void>;
  dirty?: boolean;
  writing?: boolean;
}

/**
 * Runs ASL with aws-local-stepfunctions and adds what it lacks: task tokens for `.waitForTaskToken`,
 * HeartbeatSeconds, executions recorded in the Store, and resume after a restart.
 *
 * Resume is at top-level-state granularity: every top-level state's input is checkpointed as it is entered,
 * and a resumed execution starts again at that state with that input (a Map/Parallel state re-runs all its
 * iterations). Re-running a step is safe because relay handlers and JobOps steps are convergent.
 */
export class LocalEngine {
  readonly tokens = new TaskTokenRegistry();
  private readonly prepared = new Map<string, PreparedDefinition>();
  private readonly live = new Map<string, LiveExecution>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Every execution's end handling (Store write, onExecutionEnd), so stop() waits for those too. */
  private readonly ending = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: LocalEngineOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? pino({ level: 'silent' });
    for (const [name, definition] of Object.entries(opts.definitions)) {
      validateOnce(definition, opts.validationCacheDir);
      this.prepared.set(
        name,
        prepareDefinition(definition, {
          timeScale: opts.timeScale ?? 1,
          minHeartbeatMs: opts.minHeartbeatMs,
          minTimeoutMs: opts.minTimeoutMs,
        }),
      );
    }
  }

  executionArn(workflow: string, name: string): string {
    return `${ARN_PREFIX}:execution:${workflow}:${name}`;
  }

  stateMachineArn(workflow: string): string {
    return localStateMachineArn(workflow);
  }

  hasWorkflow(workflow: string): boolean {
    return this.prepared.has(workflow);
  }

  /** The whole record (live state first): what the Step Functions API's DescribeExecution reports. */
  async executionRecord(executionId: string): Promise<ExecutionRecord | undefined> {
    const live = this.live.get(executionId)?.rec;
    return live ? structuredClone(live) : loadExecution(this.opts.store, executionId);
  }

  /** Every execution of `workflow`, newest first (running ones as this process sees them). */
  async listExecutions(workflow: string): Promise<ExecutionRecord[]> {
    const recs = await listExecutions(this.opts.store, (rec) => rec.workflow === workflow);
    const current = recs.map((rec) => structuredClone(this.live.get(rec.executionId)?.rec ?? rec));
    return current.sort(
      (a, b) => b.startedAt.localeCompare(a.startedAt) || b.executionId.localeCompare(a.executionId),
    );
  }

  async startExecution(req: {
    workflow: string;
    name: string;
    input: unknown;
  }): Promise<{ executionId: string }> {
    this.assertOpen();
    if (!this.prepared.has(req.workflow)) throw stateMachineDoesNotExist(req.workflow);
    const executionId = this.executionArn(req.workflow, req.name);
    const input = JSON.parse(JSON.stringify(req.input ?? {})) as unknown;
    const existing = this.live.get(executionId)?.rec ?? (await loadExecution(this.opts.store, executionId));
    if (existing) {
      // Like AWS: starting the same name with the same input while it runs is idempotent.
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input)) {
        return { executionId };
      }
      throw executionAlreadyExists(executionId);
    }
    const rec: ExecutionRecord = {
      executionId,
      workflow: req.workflow,
      name: req.name,
      status: 'RUNNING',
      input,
      startedAt: this.clock.now().toISOString(),
      resumes: 0,
      transitions: 0,
    };
    await saveExecution(this.opts.store, rec);
    this.launch(rec, false);
    this.log.info({ executionId }, 'execution started');
    return { executionId };
  }

  /** Continue every execution the Store says is RUNNING but this process is not running. Returns how many. */
  async resumeAll(): Promise<number> {
    this.assertOpen();
    let resumed = 0;
    for (const rec of await listRunningExecutions(this.opts.store)) {
      if (this.live.has(rec.executionId)) continue;
      if (!this.prepared.has(rec.workflow)) {
        this.log.error({ executionId: rec.executionId }, 'cannot resume: workflow definition missing');
        continue;
      }
      rec.resumes += 1;
      await saveExecution(this.opts.store, rec);
      this.launch(rec, true);
      resumed += 1;
      this.log.info({ executionId: rec.executionId, at: rec.checkpoint?.state }, 'execution resumed');
    }
    return resumed;
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    this.assertOpen();
    this.tokens.success(taskToken, JSON.parse(JSON.stringify(output ?? {})));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    this.assertOpen();
    this.tokens.failure(taskToken, error, cause);
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.assertOpen();
    this.tokens.heartbeat(taskToken);
  }

  async stopExecution(executionId: string, cause: string): Promise<void> {
    const live = this.live.get(executionId);
    if (live) {
      live.stopping = 'stop';
      live.rec.cause = cause;
      live.abort();
      this.tokens.cancelExecution(executionId, 'execution stopped');
      await live.done;
      return;
    }
    const rec = await loadExecution(this.opts.store, executionId);
    if (!rec) throw executionDoesNotExist(executionId);
    if (rec.status !== 'RUNNING') return;
    // Recorded as running but not running here (not resumed yet): just record the stop.
    await this.record({ ...rec, status: 'ABORTED', cause, stoppedAt: this.clock.now().toISOString() });
  }

  async describeExecution(
    executionId: string,
  ): Promise<
    | { status: ExecutionStatus; output?: unknown; error?: string; cause?: string; transitions: number }
    | undefined
  > {
    const rec = this.live.get(executionId)?.rec ?? (await loadExecution(this.opts.store, executionId));
    if (!rec) return undefined;
    return {
      status: rec.status,
      output: rec.output,
      error: rec.error,
      cause: rec.cause,
      transitions: rec.transitions,
    };
  }

  /** Resolves when the execution is no longer running in this process (ended, or the engine stopped). */
  async waitForExecution(executionId: string): Promise<void> {
    await this.live.get(executionId)?.done;
  }

  runningExecutionIds(): string[] {
    return [...this.live.keys()];
  }

  /**
   * Shut down (local stack stop, or a simulated crash in tests): running executions are abandoned as RUNNING
   * in the Store, so the next engine over the same Store resumes them. No timers remain.
   */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lives = [...this.live.values()];
    for (const live of lives) {
      live.stopping = 'shutdown';
      live.abort();
      this.tokens.cancelExecution(live.rec.executionId, 'engine stopped');
    }
    await Promise.all(lives.map((l) => l.done));
    await Promise.allSettled([...this.ending]);
    await Promise.allSettled([...this.inflight]);
    await Promise.all(lives.map((l) => l.persist));
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineApiError('ServiceUnavailable', 'the local engine is stopped');
  }

  private launch(rec: ExecutionRecord, resumed: boolean): void {
    const prepared = this.prepared.get(rec.workflow)!;
    const cp = resumed ? rec.checkpoint : undefined;
    const definition = cp ? { ...prepared.runnable, StartAt: cp.state } : prepared.runnable;
    const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    const live: LiveExecution = {
      rec,
      abort: () => {},
      done: Promise.resolve(),
      persist: Promise.resolve(),
      follow: Promise.resolve(),
    };
    if (cp?.taskToken) live.reuse = { state: cp.state, token: cp.taskToken };
    const handlers = Object.fromEntries(
      [...prepared.tasks.values()].map((t) => [t.name, (input: unknown) => this.runTask(live, t, input)]),
    );
    const execution = machine.run((cp ? cp.input : rec.input) as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: prepared.waitOverrides,
        retryIntervalOverrides: prepared.retryOverrides,
      },
      context: {
        Execution: {
          Id: rec.executionId,
          Name: rec.name,
          RoleArn: `${ARN_PREFIX.replace('states', 'iam')}:role/local`,
        },
        StateMachine: { Id: `${ARN_PREFIX}:stateMachine:${rec.workflow}`, Name: rec.workflow },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
    });
    live.abort = execution.abort;
    this.live.set(rec.executionId, live);
    live.follow = this.followCheckpoints(live, execution.eventLogs as AsyncIterable<unknown>, prepared).catch(
      (err: unknown) => this.log.error({ err, executionId: rec.executionId }, 'event log consumer failed'),
    );
    const done = execution.result.then(
      (output) => this.finish(live, { status: 'SUCCEEDED', output }),
      (err: unknown) => this.finish(live, outcomeOf(err)),
    );
    live.done = done;
    this.ending.add(done);
    void done.finally(() => this.ending.delete(done));
  }

  /** Checkpoint each top-level state as it is entered (events arrive in order, shortly after the fact). */
  private async followCheckpoints(
    live: LiveExecution,
    events: AsyncIterable<unknown>,
    prepared: PreparedDefinition,
  ): Promise<void> {
    for await (const raw of events) {
      const ev = raw as { type: string; index?: number; state?: { name: string; input: unknown } };
      if (ev.type !== 'StateEntered') continue;
      live.rec.transitions += 1;
      this.opts.onTransition?.();
      if (ev.index !== undefined || !ev.state) continue;
      if (!prepared.topLevelStates.has(ev.state.name)) continue;
      if (live.stopping || live.rec.status !== 'RUNNING') continue;
      live.rec.checkpoint = {
        state: ev.state.name,
        input: ev.state.input,
        enteredAt: this.clock.now().toISOString(),
        taskToken: this.tokens
          .tokensOf(live.rec.executionId)
          .find((t) => this.topTokenState.get(t) === ev.state?.name),
      };
      this.persist(live);
    }
  }

  /** token -> top-level state name, for tokens minted by top-level Task states. */
  private readonly topTokenState = new Map<string, string>();

  private async runTask(live: LiveExecution, info: TaskStateInfo, input: unknown): Promise<unknown> {
    if (live.stopping) throw new TaskFailedError('States.Runtime', 'execution is stopping');
    const task = resolveTask(info, input, this.opts.functions);
    if (task.mode !== 'token') {
      const out = await this.invoke(task, task.payload);
      return task.mode === 'invoke' ? { ExecutedVersion: '$LATEST', Payload: out, StatusCode: 200 } : out;
    }
    let token = mintTaskToken();
    if (live.reuse?.state === info.name) {
      token = live.reuse.token;
      live.reuse = undefined;
    }
    const payload = replaceToken(task.payload, token);
    if (payload.replaced === 0) {
      throw new TaskFailedError(
        'States.Runtime',
        `${info.name}: waitForTaskToken payload does not carry $$.Task.Token`,
      );
    }
    const executionId = live.rec.executionId;
    const waiting = this.tokens.wait(token, {
      executionId,
      stateName: info.name,
      heartbeatMs: info.heartbeatMs,
      timeoutMs: info.timeoutMs,
      cleanupAfterMs: info.timeoutMs === undefined ? undefined : info.timeoutMs + 50,
    });
    waiting.catch(() => {}); // observed below; this only keeps an early rejection from being "unhandled"
    if (info.topLevel) {
      this.topTokenState.set(token, info.name);
      if (live.rec.checkpoint?.state === info.name) {
        live.rec.checkpoint.taskToken = token;
        this.persist(live);
      }
    }
    try {
      await this.invoke(task, payload.value);
      return await waiting;
    } finally {
      this.tokens.discard(token);
      this.topTokenState.delete(token);
    }
  }

  private async invoke(task: TaskInvocation, payload: unknown): Promise<unknown> {
    const call = (async () => {
      try {
        return JSON.parse(
          JSON.stringify((await task.fn(JSON.parse(JSON.stringify(payload ?? null)))) ?? null),
        );
      } catch (err) {
        if (err instanceof TaskFailedError) throw err;
        const e = err instanceof Error ? err : new Error(String(err));
        // Lambda's shape: Error = the error type, Cause = JSON with errorType/errorMessage.
        throw new TaskFailedError(
          e.name || 'Error',
          JSON.stringify({ errorType: e.name, errorMessage: e.message }),
        );
      }
    })();
    this.inflight.add(call);
    try {
      return await call;
    } finally {
      this.inflight.delete(call);
    }
  }

  /**
   * Write the record. One writer per execution; changes made while a write is in flight are coalesced into
   * the next write (only the latest checkpoint matters), so fast state sequences do not queue up writes.
   */
  private persist(live: LiveExecution): void {
    live.dirty = true;
    if (live.writing) return;
    live.writing = true;
    live.persist = (async () => {
      while (live.dirty) {
        live.dirty = false;
        const snapshot = structuredClone(live.rec);
        try {
          await saveExecution(this.opts.store, snapshot);
        } catch (err) {
          this.log.error({ err, executionId: snapshot.executionId }, 'cannot record execution');
        }
      }
      live.writing = false;
    })();
  }

  private async record(rec: ExecutionRecord): Promise<void> {
    await saveExecution(this.opts.store, rec);
    await this.opts.onExecutionEnd?.(rec);
  }

  private async finish(
    live: LiveExecution,
    outcome: { status: ExecutionStatus; output?: unknown; error?: string; cause?: string },
  ): Promise<void> {
    const id = live.rec.executionId;
    this.tokens.cancelExecution(id, 'execution ended');
    // Let the event consumer catch up (its log closes with the execution) so the record is complete.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([live.follow, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.live.delete(id);
    if (live.stopping === 'shutdown') return; // stays RUNNING in the Store: resumed by the next engine
    const status = live.stopping === 'stop' ? 'ABORTED' : outcome.status;
    live.rec = {
      ...live.rec,
      status,
      output: status === 'SUCCEEDED' ? outcome.output : undefined,
      error: status === 'ABORTED' ? undefined : outcome.error,
      cause: status === 'ABORTED' ? live.rec.cause : outcome.cause,
      stoppedAt: this.clock.now().toISOString(),
    };
    this.persist(live);
    await live.persist;
    this.log.info({ executionId: id, status, error: live.rec.error }, 'execution ended');
    try {
      await this.opts.onExecutionEnd?.(live.rec);
    } catch (err) {
      this.log.error({ err, executionId: id }, 'onExecutionEnd failed');
    }
  }
}

/** Definitions already validated in this process: asl-validator takes ~1 s per call (it compiles its schemas). */
const validated = new Set<string>();

/** Validate the definition as written (what AWS gets); the engine runs its rewritten copy unvalidated. */
function validateOnce(definition: object, cacheDir?: string): void {
  const key = createHash('sha256').update(JSON.stringify(definition)).digest('hex');
  if (validated.has(key)) return;
  const marker = cacheDir ? join(cacheDir, `${key}.valid`) : undefined;
  if (!marker || !existsSync(marker)) {
    new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
    if (marker) {
      mkdirSync(cacheDir as string, { recursive: true });
      writeFileSync(marker, '');
    }
  }
  validated.add(key);
}

function outcomeOf(err: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const inner = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : err;
  if (inner instanceof Error) return { status: 'FAILED', error: inner.name, cause: inner.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(inner) };
}

function replaceToken(value: unknown, token: string): { value: unknown; replaced: number } {
  let replaced = 0;
  const walk = (v: unknown): unknown => {
    if (v === TOKEN_PLACEHOLDER) {
      replaced += 1;
      return token;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), replaced };
}
