import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { JobProgress } from '@rackops/core/ports/job-progress.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Store, StoredRecord } from '@rackops/core/ports/store.port';
import { pageNotePrefix } from '@rackops/core/inventory/ingest-report';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { ConflictError } from '@rackops/core/util/errors';
import { AGENT_HEARTBEAT_TYPE } from '@rackops/core/usecases/agent-status';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import { createInventoryPageHandler } from './inventory-page.handler';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord, putCommandStep } from './relay-command-record';
import { checkAuthenticity } from './result-authenticity';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';
import { awsNotifications } from '../notifications/aws-notifier';
import { recordSecurityEvent } from './security-event';

/** The parts of an SQS event this handler reads. */
export const SqsBatch = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});
export type SqsBatch = z.infer<typeof SqsBatch>;

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export type ProgressMessage = Extract<RelayMessage, { type: 'progress' }>;

export interface ResultDeps {
  store: Store;
  orchestrator: Orchestrator;
  /** The keys the relay agent signs with (Secrets Manager in AWS): unsigned or unknown-key messages are refused. */
  relayKey: () => Promise<KeyMaterial>;
  clock?: Clock;
  logger?: Logger;
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
 * Consumes the results queue. Each message is recorded in the Store FIRST (job log line, relay-command
 * record, agent heartbeat) and only then reported to the orchestrator, so the Store never misses what a
 * workflow acted on. Messages that fail for a transient reason are returned as batchItemFailures (redelivered);
 * malformed messages are logged and dropped, since redelivery would not fix them.
 */
export function createResultHandler(deps: ResultDeps) {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger ?? pino({ level: 'silent' });

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
        await deps.store.appendLog({
          jobId: msg.jobId,
          level: 'warn',
          message: `a ${msg.type} for command ${commandId ?? '?'} arrived after its step had ended (${err.name})`,
        });
      }
    }
  }

  const FINAL = new Set<RelayCommandRecord['status']>(['succeeded', 'failed', 'rejected']);
  const conflictAttempts = deps.conflictAttempts ?? 8;
  const conflictBackoffMs = deps.conflictBackoffMs ?? 20;

  /**
   * Read-modify-write of the command's record, conditional on its version: results and progress of one command
   * may be handled at the same time (the results queue is unordered and its batches run concurrently), and a
   * progress read before the result must not write "running" over it. Returns the record as it was before.
   * `first` is the record as the authenticity check read it: the first attempt starts from it (a stale copy only
   * loses the conditional write and is read again).
   */
  async function updateCommand(
    msg: { commandId?: string | undefined; jobId?: string | undefined },
    patch: Partial<RelayCommandRecord>,
    first: StoredRecord<RelayCommandRecord> | undefined,
  ): Promise<RelayCommandRecord | undefined> {
    const commandId = msg.commandId;
    if (!commandId) return undefined;
    for (let attempt = 0; ; attempt++) {
      const prev =
        attempt === 0 && first
          ? first
          : await deps.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, commandId);
      if (patch.status === 'running' && prev && FINAL.has(prev.data.status)) return prev.data;
      const data: RelayCommandRecord = {
        // Without a record (its write failed), the message's job id keeps the command listed under its job.
        ...(prev?.data ?? { commandId, status: 'sent', ...(msg.jobId ? { jobId: msg.jobId } : {}) }),
        ...patch,
      };
      try {
        await deps.store.putRecord<RelayCommandRecord>(
          {
            type: RELAY_COMMAND_TYPE,
            id: commandId,
            ...(data.jobId ? { parent: data.jobId } : {}),
            ...(prev?.sortKey ? { sortKey: prev.sortKey } : {}),
            data,
          },
          prev ? { ifVersion: prev.version } : { ifAbsent: true },
        );
        return prev?.data;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= conflictAttempts - 1) throw err;
        // Full jitter: racing writers (a result and its progress) spread out instead of colliding again.
        const ceiling = Math.min(1000, conflictBackoffMs * 2 ** attempt);
        await new Promise((r) => setTimeout(r, Math.random() * ceiling));
      }
    }
  }

  /**
   * The agent sends a streamed command's pages before its result, but batches are handled concurrently: the
   * result may overtake its last page. The step (and the job's summary) waits until every page is recorded —
   * a bounded wait: a page that never comes leaves the run marked incomplete, as before.
   */
  async function pagesIngested(msg: Extract<RelayMessage, { type: 'result' }>): Promise<void> {
    const pages = (msg.output as { pages?: unknown } | undefined)?.pages;
    if (!msg.ok || !msg.jobId || typeof pages !== 'number' || pages < 1) return;
    const prefix = pageNotePrefix(msg.commandId);
    const until = Date.now() + (deps.pageWaitMs ?? 10_000);
    for (;;) {
      const notes = await deps.store.listJobItems(msg.jobId, 'note');
      if (notes.filter((n) => n.key.startsWith(prefix)).length >= pages || Date.now() >= until) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Console lines name the host a command works for (a vCenter command for a host's VMs too), when its step says. */
  const onHost = (rec: RelayCommandRecord | undefined): string =>
    rec?.step?.hostId ? `${rec.step.hostId} · ` : '';

  async function handle(msg: RelayMessage, record?: StoredRecord<RelayCommandRecord>): Promise<void> {
    switch (msg.type) {
      case 'result': {
        const err = msg.error ?? { code: 'relay_error', message: 'the command failed without an error' };
        const sent = await updateCommand(
          msg,
          {
            status: msg.ok ? 'succeeded' : 'failed',
            completedAt: msg.at,
            durationMs: msg.durationMs,
            ...(msg.ok ? {} : { error: { code: err.code, message: err.message } }),
          },
          record,
        );
        if (msg.jobId) {
          await deps.store.appendLog({
            jobId: msg.jobId,
            level: msg.ok ? 'info' : 'error',
            message: msg.ok
              ? `${onHost(sent)}${msg.kind} done (${Math.round(msg.durationMs)} ms)`
              : `${onHost(sent)}${msg.kind} failed: ${err.code}: ${err.message}`,
          });
        }
        if (msg.jobId && sent?.step) {
          await putCommandStep(
            deps.store,
            clock,
            msg.jobId,
            sent.step,
            msg.ok ? 'completed' : 'failed',
            msg.ok ? undefined : `${err.code}: ${err.message}`,
          );
        }
        const token = msg.taskToken;
        if (!token) return;
        await pagesIngested(msg);
        await tell(msg, () =>
          msg.ok
            ? deps.orchestrator.sendTaskSuccess(token, msg.output ?? {})
            : deps.orchestrator.sendTaskFailure(token, err.code, err.message),
        );
        return;
      }
      case 'progress': {
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
        if (prev && FINAL.has(prev.status) && !msg.page) return;
        // Progress repeats every few seconds; the console gets a line only when the news changes.
        if (msg.jobId && prev?.progress !== msg.message) {
          const pct = msg.percent !== undefined ? ` (${Math.round(msg.percent)}%)` : '';
          await deps.store.appendLog({
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
        if (token) await tell(msg, () => deps.orchestrator.sendTaskHeartbeat(token));
        return;
      }
      case 'rejected': {
        const what = `the relay agent rejected command ${msg.commandId ?? '(unknown id)'}: ${msg.reason} (${msg.detail})`;
        if (msg.jobId) await deps.store.appendLog({ jobId: msg.jobId, level: 'error', message: what });
        const sent = await updateCommand(
          msg,
          {
            status: 'rejected',
            completedAt: msg.at,
            error: { code: `rejected_${msg.reason}`, message: msg.detail },
          },
          record,
        );
        if (msg.jobId && sent?.step)
          await putCommandStep(deps.store, clock, msg.jobId, sent.step, 'failed', what);
        const token = msg.taskToken;
        if (token)
          await tell(msg, () => deps.orchestrator.sendTaskFailure(token, `rejected_${msg.reason}`, what));
        return;
      }
      case 'agent-heartbeat': {
        await deps.store.putRecord({ type: AGENT_HEARTBEAT_TYPE, id: msg.agentId, data: msg });
        return;
      }
    }
  }

  return async (event: unknown): Promise<BatchResponse> => {
    const batch = SqsBatch.parse(event);
    const failures: BatchResponse['batchItemFailures'] = [];
    // Only messages the agent signed, about commands we sent, are acted on; the rest are refused, recorded
    // and dropped (redelivery would not make them true). A failure to check (the Store) is retried.
    const keys = await deps.relayKey();
    const checked = await Promise.all(
      batch.Records.map(
        async (
          record,
        ): Promise<
          { messageId: string; msg: RelayMessage; record?: StoredRecord<RelayCommandRecord> } | undefined
        > => {
          let raw: unknown;
          try {
            raw = JSON.parse(record.body);
          } catch {
            raw = undefined;
          }
          try {
            const v = await checkAuthenticity(raw, { store: deps.store, keys, now: clock.now() });
            if (v.ok)
              return {
                messageId: record.messageId,
                msg: v.message,
                ...(v.record ? { record: v.record } : {}),
              };
            const m = v.message;
            await recordSecurityEvent(
              { store: deps.store, log, clock },
              {
                reason: raw === undefined ? 'malformed' : v.reason,
                detail: raw === undefined ? 'the message body is not JSON' : v.detail,
                ...(m ? { messageType: m.type } : {}),
                ...(m && 'commandId' in m && m.commandId ? { commandId: m.commandId } : {}),
                ...(m && m.type !== 'agent-heartbeat' && m.jobId ? { jobId: m.jobId } : {}),
                ...(m?.kid ? { kid: m.kid } : {}),
              },
            );
          } catch (err) {
            log.error({ err, messageId: record.messageId }, 'message not checked; will be redelivered');
            failures.push({ itemIdentifier: record.messageId });
          }
          return undefined;
        },
      ),
    );
    const parsed = checked.filter((c) => c !== undefined);
    // All at once: a page to ingest must not hold up a result, not even its own command's. Order does not
    // matter to correctness: the command record is a versioned write that never leaves a final status, and a
    // streamed command's result waits for its pages (pagesIngested).
    await Promise.all(
      parsed.map(async ({ messageId, msg, record }) => {
        try {
          await handle(msg, record);
        } catch (err) {
          log.error(
            { err, messageId, type: msg.type, at: clock.now().toISOString() },
            'message failed; will be redelivered',
          );
          failures.push({ itemIdentifier: messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

/**
 * The result function from the platform. Inventory pages go to core's inventory ingestion unless the caller
 * routes them elsewhere (a local test that watches them).
 */
export const resultFromPlatform = (
  p: Platform,
  opts: { onInventoryPage?: (page: Record<string, unknown>, msg: ProgressMessage) => Promise<unknown> } = {},
) => {
  const ingest =
    opts.onInventoryPage ??
    createInventoryPageHandler({ store: p.store, logger: p.logger.child({ part: 'inventory' }) });
  return createResultHandler({
    store: p.store,
    orchestrator: p.orchestrator,
    relayKey: p.relayKeys,
    clock: p.clock,
    logger: p.logger.child({ fn: 'result' }),
    ...(p.progress ? { progress: p.progress } : {}),
    onInventoryPage: async (page, msg) => {
      await ingest(page, msg);
    },
  });
};

/** AWS entry point (SQS event source with ReportBatchItemFailures); the job's card follows each result. */
export default lambdaEntry((p) => resultFromPlatform(p), { notifications: awsNotifications });
