import '@rackops/core/polyfills';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import { StateMachine } from 'aws-local-stepfunctions';
import { type Logger, pino } from 'pino';
import { validateOnce } from './definition-validation';
import { LOCAL_ROLE_ARN, localExecutionArn, localStateMachineArn } from './engine-arns';
import {
  EngineApiError,
  TaskFailedError,
  executionAlreadyExists,
  executionDoesNotExist,
  stateMachineDoesNotExist,
} from './engine-errors';
import { endedRecord, outcomeOf } from './execution-outcome';
import {
  type ExecutionRecord,
  listExecutions,
  listRunningExecutions,
  loadExecution,
  saveExecution,
} from './execution-record';
import { failOverLimit } from './data-limit';
import { invokeAsLambda } from './invoke-as-lambda';
import { type LiveExecution, persistLatest } from './live-execution';
import type { LocalEngineOptions } from './local-engine-options';
import { type PreparedDefinition, type TaskStateInfo, prepareDefinition } from './prepare-definition';
import { type TaskInvocation, resolveTask } from './task-resources';
import { replaceToken, TOKEN_PLACEHOLDER } from './task-token-payload';
import { TaskTokenRegistry, mintTaskToken } from './task-tokens';

export { localStateMachineArn } from './engine-arns';
export type { EngineFunction, LocalEngineOptions } from './local-engine-options';

type ExecutionSummary = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause' | 'transitions'>;

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
    return localExecutionArn(workflow, name);
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

  async describeExecution(executionId: string): Promise<ExecutionSummary | undefined> {
    const rec = this.live.get(executionId)?.rec ?? (await loadExecution(this.opts.store, executionId));
    if (!rec) return undefined;
    const { status, output, error, cause, transitions } = rec;
    return { status, output, error, cause, transitions };
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
          RoleArn: LOCAL_ROLE_ARN,
        },
        StateMachine: { Id: localStateMachineArn(rec.workflow), Name: rec.workflow },
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
      this.opts.onTransition?.(ev.state?.name ?? '?');
      if (ev.state) this.checkDataLimit(live, ev.state.name, 'input', ev.state.input);
      if (live.fatal) continue; // no checkpoint of an oversized state (the execution fails)
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

  /** Over 256 KiB fails the execution past any Catch, as in AWS (a state input is seen after the fact). */
  private checkDataLimit(live: LiveExecution, state: string, what: string, value: unknown): void {
    const cause = failOverLimit(live, state, what, value);
    if (!cause) return;
    this.log.error({ executionId: live.rec.executionId, state }, cause);
    this.tokens.cancelExecution(live.rec.executionId, cause);
  }

  private async runTask(live: LiveExecution, info: TaskStateInfo, input: unknown): Promise<unknown> {
    if (live.stopping) throw new TaskFailedError('States.Runtime', 'execution is stopping');
    this.checkDataLimit(live, info.name, 'task input', input);
    const out = live.fatal ? undefined : await this.runTaskUnchecked(live, info, input);
    this.checkDataLimit(live, info.name, 'task result', out);
    if (live.fatal) throw new TaskFailedError(live.fatal.error, live.fatal.cause);
    return out;
  }

  private async runTaskUnchecked(live: LiveExecution, info: TaskStateInfo, input: unknown): Promise<unknown> {
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
    const call = invokeAsLambda(task.fn, payload);
    this.inflight.add(call);
    try {
      return await call;
    } finally {
      this.inflight.delete(call);
    }
  }

  private persist(live: LiveExecution): void {
    persistLatest(live, (rec) => saveExecution(this.opts.store, rec), this.log);
  }

  private async record(rec: ExecutionRecord): Promise<void> {
    await saveExecution(this.opts.store, rec);
    await this.opts.onExecutionEnd?.(rec);
  }

  private async finish(live: LiveExecution, outcome: Parameters<typeof endedRecord>[1]): Promise<void> {
    const id = live.rec.executionId;
    this.tokens.cancelExecution(id, 'execution ended');
    // Let the event consumer catch up (its log closes with the execution) so the record is complete.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([live.follow, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.live.delete(id);
    if (live.stopping === 'shutdown') return; // stays RUNNING in the Store: resumed by the next engine
    const at = this.clock.now().toISOString();
    live.rec = endedRecord(live.rec, outcome, { stopped: live.stopping === 'stop', fatal: live.fatal, at });
    this.persist(live);
    await live.persist;
    this.log.info({ executionId: id, status: live.rec.status, error: live.rec.error }, 'execution ended');
    try {
      await this.opts.onExecutionEnd?.(live.rec);
    } catch (err) {
      this.log.error({ err, executionId: id }, 'onExecutionEnd failed');
    }
  }
}
