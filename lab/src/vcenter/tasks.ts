import type { MoRef } from './soap/decode';
import type { VimFaultError } from './soap/faults';
import { bool, dateTime, en, int, mor, obj, str, type Vim } from './soap/vim-value';
import { fromGetters, type ManagedObject } from './model/managed-object';

export type TaskState = 'queued' | 'running' | 'success' | 'error';

/**
 * A vCenter Task: `info.state` queued -> running -> success | error, `info.progress` while running,
 * `info.error` a LocalizedMethodFault. Clients poll it with the PropertyCollector or WaitForUpdatesEx.
 */
export class VcTask {
  state: TaskState = 'queued';
  progress: number | undefined;
  error: VimFaultError | undefined;
  result: Vim | undefined;
  readonly queueTime: Date;
  /** Whether CancelTask is honoured (set by the method that creates the task). */
  cancelable = false;
  cancelRequested = false;
  /** Wakes the task's runner so it sees the cancellation at once. */
  onCancel: (() => void) | undefined;
  startTime: Date | undefined;
  completeTime: Date | undefined;
  /** Resolves when the task ends (success or error); the simulator never rejects it. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly descriptionId: string,
    readonly entity: MoRef,
    readonly entityName: string,
    readonly eventChainId: number,
    readonly userName: string,
    now: Date,
  ) {
    this.queueTime = now;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  get ref(): MoRef {
    return { type: 'Task', value: this.id };
  }

  get finished(): boolean {
    return this.state === 'success' || this.state === 'error';
  }

  start(now: Date): void {
    if (this.state !== 'queued') return;
    this.state = 'running';
    this.startTime = now;
    this.progress = 0;
  }

  setProgress(percent: number): void {
    if (this.state === 'running') this.progress = Math.max(0, Math.min(100, Math.round(percent)));
  }

  succeed(now: Date, result?: Vim): void {
    if (this.finished) return;
    if (this.state === 'queued') this.start(now);
    this.state = 'success';
    this.progress = undefined;
    this.result = result;
    this.completeTime = now;
    this.resolveDone();
  }

  fail(now: Date, fault: VimFaultError): void {
    if (this.finished) return;
    if (this.state === 'queued') this.start(now);
    this.state = 'error';
    this.error = fault;
    this.completeTime = now;
    this.resolveDone();
  }

  /** CancelTask: the runner ends the task with RequestCanceled at its next check. */
  requestCancel(): void {
    this.cancelRequested = true;
    this.onCancel?.();
  }

  info(): Vim {
    return obj('TaskInfo', {
      key: str(this.id),
      task: mor('Task', this.id),
      name: str(this.name),
      descriptionId: str(this.descriptionId),
      entity: mor(this.entity.type, this.entity.value),
      entityName: str(this.entityName),
      state: en('TaskInfoState', this.state),
      cancelled: bool(this.cancelRequested && this.state === 'error'),
      cancelable: bool(this.cancelable && !this.finished),
      error: this.error
        ? obj('LocalizedMethodFault', {
            fault: this.error.toVim(),
            localizedMessage: str(this.error.message),
          })
        : undefined,
      result: this.result,
      progress: this.progress === undefined ? undefined : int(this.progress),
      reason: obj('TaskReasonUser', { userName: str(this.userName) }),
      queueTime: dateTime(this.queueTime),
      startTime: this.startTime ? dateTime(this.startTime) : undefined,
      completeTime: this.completeTime ? dateTime(this.completeTime) : undefined,
      eventChainId: int(this.eventChainId),
    });
  }

  managedObject(): ManagedObject {
    return fromGetters(this.ref, { info: () => this.info() });
  }
}

/** Keeps tasks addressable after they end (clients read the outcome late), pruning the oldest finished ones. */
export class TaskRegistry {
  private readonly tasks = new Map<string, VcTask>();
  private next = 100;

  constructor(private readonly keepFinished = 2000) {}

  create(
    name: string,
    descriptionId: string,
    entity: MoRef,
    entityName: string,
    userName: string,
    now: Date,
  ): VcTask {
    const n = this.next++;
    const task = new VcTask(`task-${n}`, name, descriptionId, entity, entityName, n, userName, now);
    this.tasks.set(task.id, task);
    this.prune();
    return task;
  }

  get(id: string): VcTask | undefined {
    return this.tasks.get(id);
  }

  /** Tasks still queued or running (recentTask of the TaskManager). */
  active(): VcTask[] {
    return [...this.tasks.values()].filter((t) => !t.finished);
  }

  private prune(): void {
    if (this.tasks.size <= this.keepFinished) return;
    for (const [id, t] of this.tasks) {
      if (this.tasks.size <= this.keepFinished) break;
      if (t.finished) this.tasks.delete(id);
    }
  }
}
