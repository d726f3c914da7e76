import { pageNotePrefix } from '../inventory/ingest-report';
import { type Clock, type Timer, systemTimer } from '../ports/clock.port';
import type { JobProgress } from '../ports/job-progress.port';
import type { Logger } from '../ports/logger.port';
import type { Orchestrator } from '../ports/orchestrator.port';
import type { Store, StoredRecord } from '../ports/store.port';
import { FINAL_COMMAND_STATUSES, updateCommandRecord } from '../relay/command-record-update';
import { type RelayCommandRecord, putCommandStep } from '../relay/relay-command-record';
import type { RelayMessage } from '../relay/result.schema';
import { AGENT_HEARTBEAT_TYPE } from './agent-status';

export type ProgressMessage = Extract<RelayMessage, { type: 'progress' }>;
type ResultMessage = Extract<RelayMessage, { type: 'result' }>;

export interface RelayMessageDeps {
  store: Store;
  /** Answers the waiting workflow task (Step Functions, or the local engine). */
  orchestrator: Orchestrator;
  /** Stamps the steps written. */
  clock: Clock;
  logger: Logger;
  /** Real-time waits (the last pages of a streamed command, write-conflict backoff). @default systemTimer */
  timer?: Timer;
  /**
   * Told when a command's news changes (a relay progress with a new message): the job's live card, as job-ops
   * tells it after each op — a long wait (staging, a reboot) shows its progress instead of the last op's state.
   */
  progress?: JobProgress;
  /** Inventory pages streamed as progress (core's inventory ingestion). Throwing makes the message come back. */
  onInventoryPage?: (page: Record<string, unknown>, msg: ProgressMessage) => Promise<void>;
  /** How long a streamed command's result waits for its last pages, ingested concurrently. @default 10000 */
  pageWaitMs?: number;
  /** Attempts of a command record's conditional write before the message goes back to the queue. @default 8 */
  conflictAttempts?: number;
  /** First backoff between those attempts (full jitter, doubling, capped at 1 s). @default 20 */
  conflictBackoffMs?: number;
}

/**
 * Step Functions' answers when a task no longer waits: the execution ended, the task timed out, or the token
 * is garbage. Retrying cannot help, so these are logged and the message is consumed.
 */
const TOKEN_GONE = new Set(['TaskDoesNotExist', 'InvalidToken', 'TaskTimedOut']);

/**
 * Acts on one authentic relay message (a result, progress, rejection or agent heartbeat). It is recorded in
 * the Store FIRST (job log line, relay-command record and step, agent heartbeat) and only then reported to
 * the orchestrator, so the Store never misses what a workflow acted on. Throws on a transient failure (the
 * transport redelivers the message); a task that no longer waits is logged, not thrown.
 */
export function createRelayMessageHandler(deps: RelayMessageDeps) {
  const { store, orchestrator, clock, logger: log } = deps;
  const timer = deps.timer ?? systemTimer;
  const updates = {
    store,
    timer,
    conflictAttempts: deps.conflictAttempts,
    conflictBackoffMs: deps.conflictBackoffMs,
  };
  const updateCommand = (
    msg: { commandId?: string | undefined; jobId?: string | undefined },
    patch: Partial<RelayCommandRecord>,
    first: StoredRecord<RelayCommandRecord> | undefined,
  ) => updateCommandRecord(updates, msg, patch, first);

  async function tell(msg: RelayMessage, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (err) {
      if (!(err instanceof Error) || !TOKEN_GONE.has(err.name)) throw err;
      const commandId = 'commandId' in msg ? msg.commandId : undefined;
      const fields = {
        type: msg.type,
        jobId: msg.type !== 'agent-heartbeat' ? msg.jobId : undefined,
        commandId,
        reason: err.name,
      };
      // A progress handled alongside its own result (batches run concurrently), or just after its step ended:
      // routine in every rollout, nothing to act on. Off the console unless someone asks for debug.
      if (msg.type === 'progress') {
        log.debug(fields, 'heartbeat for a step that has already ended');
        return;
      }
      log.warn(fields, `a ${msg.type} arrived after its step had ended`);
      if (msg.type !== 'agent-heartbeat' && msg.jobId) {
        await store.appendLog({
          jobId: msg.jobId,
          level: 'warn',
          message: `a ${msg.type} for command ${commandId ?? '?'} arrived after its step had ended (${err.name})`,
        });
      }
    }
  }

  /**
   * The agent sends a streamed command's pages before its result, but batches are handled concurrently: the
   * result may overtake its last page. The step (and the job's summary) waits until every page is recorded —
   * a bounded wait: a page that never comes leaves the run marked incomplete, as before.
   */
  async function pagesIngested(msg: ResultMessage): Promise<void> {
    const pages = (msg.output as { pages?: unknown } | undefined)?.pages;
    if (!msg.ok || !msg.jobId || typeof pages !== 'number' || pages < 1) return;
    const prefix = pageNotePrefix(msg.commandId);
    const until = timer.nowMs() + (deps.pageWaitMs ?? 10_000);
    for (;;) {
      const notes = await store.listJobItems(msg.jobId, 'note');
      if (notes.filter((n) => n.key.startsWith(prefix)).length >= pages || timer.nowMs() >= until) return;
      await timer.sleep(100);
    }
  }

  /** Console lines name the host a command works for (a vCenter command for a host's VMs too), when its step says. */
  const onHost = (rec: RelayCommandRecord | undefined): string =>
    rec?.step?.hostId ? `${rec.step.hostId} · ` : '';

  async function onResult(msg: ResultMessage, record?: StoredRecord<RelayCommandRecord>): Promise<void> {
    const err = msg.error ?? { code: 'relay_error', message: 'the command failed without an error' };
    const patch: Partial<RelayCommandRecord> = {
      status: msg.ok ? 'succeeded' : 'failed',
      completedAt: msg.at,
      durationMs: msg.durationMs,
      ...(msg.ok ? {} : { error: { code: err.code, message: err.message } }),
    };
    const jobId = msg.jobId;
    // The console line and the step: separate items, written at once.
    const news = (sent: RelayCommandRecord | undefined) =>
      Promise.all([
        jobId
          ? store.appendLog({
              jobId,
              level: msg.ok ? 'info' : 'error',
              message: msg.ok
                ? `${onHost(sent)}${msg.kind} done (${Math.round(msg.durationMs)} ms)`
                : `${onHost(sent)}${msg.kind} failed: ${err.code}: ${err.message}`,
            })
          : undefined,
        jobId && sent?.step
          ? putCommandStep(
              store,
              clock,
              jobId,
              sent.step,
              msg.ok ? 'completed' : 'failed',
              msg.ok ? undefined : `${err.code}: ${err.message}`,
            )
          : undefined,
      ]);
    // The record as the authenticity check read it already names the step and its host (written once by the
    // dispatch, never changed): the news goes out beside the record's update. All of it is written before the
    // workflow hears of the result; a failure brings the message back, and the same writes are made again.
    if (record) await Promise.all([updateCommand(msg, patch, record), news(record.data)]);
    else await news(await updateCommand(msg, patch, undefined));
    const token = msg.taskToken;
    if (!token) return;
    await pagesIngested(msg);
    await tell(msg, () =>
      msg.ok
        ? orchestrator.sendTaskSuccess(token, msg.output ?? {})
        : orchestrator.sendTaskFailure(token, err.code, err.message),
    );
  }

  async function onProgress(msg: ProgressMessage, record?: StoredRecord<RelayCommandRecord>): Promise<void> {
    const prev = await updateCommand(
      msg,
      {
        status: 'running',
        lastProgressAt: msg.at,
        progress: msg.message,
        ...(msg.percent !== undefined ? { percent: msg.percent } : {}),
      },
      record,
    );
    // Handled after its command's result: old news, and its task no longer waits.
    if (prev && FINAL_COMMAND_STATUSES.has(prev.status) && !msg.page) return;
    // Progress repeats every few seconds; the console gets a line only when the news changes.
    if (msg.jobId && prev?.progress !== msg.message) {
      const pct = msg.percent !== undefined ? ` (${Math.round(msg.percent)}%)` : '';
      await store.appendLog({
        jobId: msg.jobId,
        level: 'info',
        message: `${onHost(prev)}${msg.kind}: ${msg.message}${pct}`,
      });
      await deps.progress?.changed(msg.jobId);
    }
    if (msg.page) {
      if (!deps.onInventoryPage)
        log.warn({ commandId: msg.commandId }, 'inventory page dropped: no ingestion wired');
      else await deps.onInventoryPage(msg.page, msg);
    }
    const token = msg.taskToken;
    if (token) await tell(msg, () => orchestrator.sendTaskHeartbeat(token));
  }

  async function onRejected(
    msg: Extract<RelayMessage, { type: 'rejected' }>,
    record?: StoredRecord<RelayCommandRecord>,
  ): Promise<void> {
    const what = `the relay agent rejected command ${msg.commandId ?? '(unknown id)'}: ${msg.reason} (${msg.detail})`;
    if (msg.jobId) await store.appendLog({ jobId: msg.jobId, level: 'error', message: what });
    const sent = await updateCommand(
      msg,
      {
        status: 'rejected',
        completedAt: msg.at,
        error: { code: `rejected_${msg.reason}`, message: msg.detail },
      },
      record,
    );
    if (msg.jobId && sent?.step) await putCommandStep(store, clock, msg.jobId, sent.step, 'failed', what);
    const token = msg.taskToken;
    if (token) await tell(msg, () => orchestrator.sendTaskFailure(token, `rejected_${msg.reason}`, what));
  }

  /** `record`: the command's record as the authenticity check read it (saves the first read). */
  return async (msg: RelayMessage, record?: StoredRecord<RelayCommandRecord>): Promise<void> => {
    switch (msg.type) {
      case 'result':
        return onResult(msg, record);
      case 'progress':
        return onProgress(msg, record);
      case 'rejected':
        return onRejected(msg, record);
      case 'agent-heartbeat':
        await store.putRecord({ type: AGENT_HEARTBEAT_TYPE, id: msg.agentId, data: msg });
        return;
    }
  };
}
