import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { ResultSink } from '@rackops/core/ports/command-queue.port';
import { CommandOutputs, CommandParams, type CommandKind } from '@rackops/core/relay/commands';
import {
  type Envelope,
  type EnvelopeLimits,
  messageGroupId,
  verifyEnvelope,
} from '@rackops/core/relay/envelope';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import type { RelayErrorInfo, RelayMessage } from '@rackops/core/relay/result.schema';
import { RackOpsError } from '@rackops/core/util/errors';
import type { Logger } from 'pino';
import type { CommandContext, CommandHandler, HandlerRegistry } from '../commands/command-context';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceError } from '../http/errors';
import type { Ledger } from '../ledger/ledger';
import type { Metrics } from '../metrics/metrics';
import { type ProgressNews, ProgressPacing } from './progress-pacing';
import type { Delivery, Disposition } from '../queue/queue-consumer';

type Rejection = Extract<RelayMessage, { type: 'rejected' }>;
type Reason = Rejection['reason'];

export interface CommandProcessorDeps {
  /** The keys commands may be signed with; a function when they can change (SIGHUP, rotation). */
  readonly keys: KeyMaterial | (() => KeyMaterial);
  /** Bodies larger than this are refused as `too_large` before they are parsed. @default 65536 */
  readonly maxBodyBytes?: number;
  /** Clock skew and maximum command lifetime. */
  readonly limits?: EnvelopeLimits;
  readonly ledger: Ledger;
  readonly sink: ResultSink;
  readonly devices: DeviceRegistry;
  readonly handlers: HandlerRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly progressSeconds: number;
  /** At most one progress message per this many ms per command (data pages excepted). */
  readonly progressMinGapMs: number;
  readonly pollIntervalMs: number;
}

export interface InFlight {
  readonly commandId: string;
  readonly kind: CommandKind;
  readonly target: string;
}

/**
 * Turns one queue message into at most one effect:
 * 1. verify (size, shape, key id, HMAC, issue and expiry times) — failures are reported as `rejected` and nothing else happens;
 * 2. consult the ledger — a completed id re-sends its recorded result, an in-progress id resumes,
 *    a known id with a different signature is a replay and is rejected;
 * 3. run the convergent handler, record the outcome in the ledger, then send it.
 */
export function createCommandProcessor(d: CommandProcessorDeps) {
  const running = new Map<string, InFlight>();

  const reject = async (
    reason: Reason,
    detail: string,
    ids: { id?: string; jobId?: string; taskToken?: string; target?: string },
  ) => {
    d.metrics.commands.inc({ kind: 'unknown', outcome: `rejected_${reason}` });
    d.log.warn({ commandId: ids.id, jobId: ids.jobId, reason, detail }, 'command rejected');
    await d.sink.send({
      type: 'rejected',
      v: 1,
      commandId: ids.id,
      jobId: ids.jobId,
      taskToken: ids.taskToken,
      ...(ids.target ? { target: ids.target } : {}),
      at: d.clock.now().toISOString(),
      reason,
      detail,
    });
  };

  const keys = (): KeyMaterial => (typeof d.keys === 'function' ? d.keys() : d.keys);
  const maxBodyBytes = d.maxBodyBytes ?? 65_536;

  async function handle(body: string, signal: AbortSignal, delivery?: Delivery): Promise<Disposition> {
    // Before parsing: a huge body must cost nothing (JSON.parse and zod would walk all of it).
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > maxBodyBytes) {
      await reject('too_large', `the command is ${bytes} bytes; the limit is ${maxBodyBytes}`, {});
      return 'ack';
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      await reject('malformed', 'the message body is not JSON', {});
      return 'ack';
    }
    const v = verifyEnvelope(raw, keys(), d.clock.now(), d.limits);
    if (!v.ok) {
      await reject(v.reason, v.detail, v);
      return 'ack';
    }
    const env = v.envelope;
    const ids = {
      id: env.id,
      jobId: env.jobId,
      taskToken: env.taskToken,
      target: messageGroupId(env.target),
    };
    const known = d.ledger.get(env.id);
    if (known && known.sig !== env.sig) {
      await reject('replayed', `command id ${env.id} was already used for a different command`, ids);
      return 'ack';
    }
    if (known?.status === 'completed' && known.result) {
      d.metrics.commands.inc({ kind: env.kind, outcome: 'resent' });
      d.log.info(
        { commandId: env.id, kind: env.kind },
        'redelivered command already completed: re-sending the recorded result',
      );
      await d.sink.send(known.result);
      return 'ack';
    }
    if (running.has(env.id)) {
      // SQS redelivered a copy while we still run it: the running copy will answer.
      d.metrics.commands.inc({ kind: env.kind, outcome: 'duplicate' });
      return 'ack';
    }
    if (!d.devices.has(env.target)) {
      await reject(
        'unknown_target',
        `no ${env.target.type} "${env.target.id}" in this agent's inventory`,
        ids,
      );
      return 'ack';
    }
    const schema = CommandParams[env.kind];
    const params = schema.safeParse(env.params);
    if (!params.success) {
      const detail = params.error.issues.map((i) => `params.${i.path.join('.')}: ${i.message}`).join('; ');
      await reject('malformed', detail, ids);
      return 'ack';
    }
    return execute(env, params.data, signal, (delivery?.receiveCount ?? 1) > 1);
  }

  async function execute(
    env: Envelope,
    params: unknown,
    signal: AbortSignal,
    deliveredBefore: boolean,
  ): Promise<Disposition> {
    const started = Date.now();
    const entry = d.ledger.begin(
      {
        id: env.id,
        kind: env.kind,
        target: messageGroupId(env.target),
        sig: env.sig,
        expiresAt: env.expiresAt,
      },
      d.clock.now(),
    );
    const log = d.log.child({
      commandId: env.id,
      kind: env.kind,
      target: messageGroupId(env.target),
      jobId: env.jobId,
    });
    // Delivered before, yet unknown to this ledger: another agent of the pair took it and died (or was
    // stopped) mid-command. Its checkpoints died with its ledger; the handler reads the device instead.
    const takenOver = deliveredBefore && entry.attempts === 1;
    if (entry.attempts > 1)
      log.info({ attempt: entry.attempts }, 'resuming a command the ledger says is in progress');
    else if (takenOver) log.warn('taking over a command another agent received: converging from the device');
    else log.info('command started');
    running.set(env.id, { commandId: env.id, kind: env.kind, target: messageGroupId(env.target) });
    d.metrics.inFlight.inc();

    const pacing = new ProgressPacing({
      minGapMs: d.progressMinGapMs,
      heartbeatMs: d.progressSeconds * 1000,
      now: () => Date.now(),
    });
    const send = async (news: ProgressNews, page?: Record<string, unknown>) => {
      await d.sink.send({
        type: 'progress',
        v: 1,
        commandId: env.id,
        kind: env.kind,
        jobId: env.jobId,
        taskToken: env.taskToken,
        target: messageGroupId(env.target),
        at: d.clock.now().toISOString(),
        message: news.message.slice(0, 2000),
        ...(news.percent === undefined ? {} : { percent: Math.max(0, Math.min(100, news.percent)) }),
        ...(page ? { page } : {}),
      });
    };
    // Every progress message is a queue message, a Lambda invocation and Store writes: see ProgressPacing for
    // which go out. Pages of data are never held back.
    const progress: CommandContext['progress'] = async (message, extra) => {
      const news = { message, ...(extra?.percent === undefined ? {} : { percent: extra.percent }) };
      if (extra?.page) return send(pacing.sendNow(news), extra.page);
      const out = pacing.offer(news);
      if (out) await send(out);
    };
    const tick = Math.min(d.progressSeconds * 1000, Math.max(50, d.progressMinGapMs));
    // Long operations say they are alive every few seconds (Step Functions heartbeats ride on this).
    const ticker = setInterval(() => {
      const out = pacing.due(Math.round((Date.now() - started) / 1000));
      if (out) send(out).catch((err: Error) => log.warn({ err: err.message }, 'sending progress failed'));
    }, tick);

    const ctx: CommandContext = {
      commandId: env.id,
      kind: env.kind,
      target: env.target,
      jobId: env.jobId,
      signal,
      log,
      attempt: entry.attempts,
      takenOver,
      pollIntervalMs: d.pollIntervalMs,
      progress,
      memo: {
        get: (k) => d.ledger.getMemo(env.id, k),
        set: (k, value) => d.ledger.setMemo(env.id, k, value),
      },
      sleep: (ms) => sleep(ms ?? d.pollIntervalMs, undefined, { signal }),
      now: () => d.clock.now(),
    };

    let ok = false;
    let output: Record<string, unknown> | undefined;
    let error: RelayErrorInfo | undefined;
    try {
      const handler = d.handlers[env.kind] as CommandHandler<typeof env.kind> | undefined;
      if (!handler) throw new RackOpsError('not_implemented', `this agent has no handler for ${env.kind}`);
      const out = await handler(params as never, ctx);
      const checked = CommandOutputs[env.kind].safeParse(out);
      if (!checked.success)
        throw new RackOpsError('invalid_output', `handler output does not match the ${env.kind} contract`);
      ok = true;
      output = checked.data as Record<string, unknown>;
    } catch (err) {
      if (signal.aborted) {
        log.info('command interrupted by shutdown; it stays in progress and resumes on redelivery');
        return 'release';
      }
      error = toErrorInfo(err);
      log.warn({ code: error.code, err: error.message }, 'command failed');
    } finally {
      clearInterval(ticker);
      running.delete(env.id);
      d.metrics.inFlight.dec();
    }
    const durationMs = Date.now() - started;
    d.metrics.duration.observe({ kind: env.kind }, durationMs / 1000);
    d.metrics.commands.inc({ kind: env.kind, outcome: ok ? 'ok' : 'failed' });
    const result: RelayMessage = {
      type: 'result',
      v: 1,
      commandId: env.id,
      kind: env.kind,
      jobId: env.jobId,
      taskToken: env.taskToken,
      target: messageGroupId(env.target),
      at: d.clock.now().toISOString(),
      ok,
      ...(output ? { output } : {}),
      ...(error ? { error } : {}),
      durationMs,
    };
    // Ledger first: if sending fails or we die now, redelivery re-sends this instead of re-running.
    d.ledger.complete(env.id, result, d.clock.now());
    await d.sink.send(result);
    log.info({ ok, durationMs }, 'command finished');
    return 'ack';
  }

  return { handle, inFlight: (): InFlight[] => [...running.values()] };
}

export type CommandProcessor = ReturnType<typeof createCommandProcessor>;

function toErrorInfo(err: unknown): RelayErrorInfo {
  if (err instanceof DeviceError)
    return { code: err.code, message: err.message.slice(0, 4000), retryable: err.retryable };
  if (err instanceof RackOpsError)
    return { code: err.code, message: err.message.slice(0, 4000), retryable: false };
  return {
    code: 'internal',
    message: (err as Error)?.message?.slice(0, 4000) ?? String(err),
    retryable: false,
  };
}
