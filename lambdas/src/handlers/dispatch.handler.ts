import { StepRef } from '@rackops/core/jobs/job-step';
import { refuseUnsent } from '@rackops/core/jobs/stop-reason';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { CommandQueue } from '@rackops/core/ports/command-queue.port';
import type { Store } from '@rackops/core/ports/store.port';
import { CommandKind, CommandParams } from '@rackops/core/relay/commands';
import { CommandTarget, PROTOCOL_VERSION, signEnvelope } from '@rackops/core/relay/envelope';
import { NotFoundError, PayloadTooLargeError } from '@rackops/core/util/errors';
import { BoundedId, newId } from '@rackops/core/util/ids';
import { parseOrThrow, withValidationErrors } from '@rackops/core/util/zod-errors';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { FromPlan, paramsFromPlan } from '@rackops/core/workflows/ops/host-plan.op';
import {
  RELAY_COMMAND_TYPE,
  type RelayCommandRecord,
  putCommandStep,
  taskTokenSha256,
} from '@rackops/core/relay/relay-command-record';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';

/** What a workflow's device step sends (the ASL Payload of a `.waitForTaskToken` Task on the dispatch function). */
export const DispatchPayload = z.object({
  jobId: BoundedId,
  command: z.object({
    kind: CommandKind,
    target: CommandTarget,
    params: z.record(z.string(), z.unknown()).default({}),
  }),
  taskToken: z.string().min(1).max(8192),
  /** The job step this command is (shown on the job card); running now, completed/failed by its result. */
  step: StepRef.optional(),
  /**
   * A step a host's window may stop before (cancel now, the maintenance window's end): when the job has a stop
   * reason the command is not recorded or sent, and the task fails with `HostStopRequested`. The check rides on
   * the job read every dispatch does, so a checkpoint costs no state of its own.
   */
  stopPoint: z.boolean().optional(),
  /**
   * A step that puts a host back in service after its reboot carries the verification's answer: anything but
   * `true` sends nothing and fails the task with `NotVerified` (no VMs on a host whose firmware did not verify).
   */
  verified: z.boolean().optional(),
  /**
   * Params taken from the host's firmware plan (the job's 'plan' item): a host's packages and expected versions
   * are kept out of the workflow state (256 KiB), and loading them here costs no state of their own.
   */
  fromPlan: FromPlan.optional(),
});
export type DispatchPayload = z.infer<typeof DispatchPayload>;

/** A workflow's payload is a few KB at most; anything near the SQS limit is not one of ours. */
export const DISPATCH_INPUT_LIMIT = 64 * 1024;

export interface DispatchDeps {
  store: Store;
  commands: CommandQueue;
  /** The keys shared with the relay agent (Secrets Manager in AWS): the active one signs. */
  relayKey: () => Promise<KeyMaterial>;
  clock?: Clock;
  logger?: Logger;
  /**
   * How long a command stays valid. Commands for one device queue behind each other (FIFO group), so this
   * must outlast the longest device operation plus the queue ahead of it. @default 7200
   */
  ttlSeconds?: number;
}

/**
 * Turns a device step into a signed relay command on the commands FIFO queue. The task token rides in the
 * envelope; the result handler answers Step Functions when the agent reports back. Bad params fail the step
 * here (ValidationError), before anything reaches a device.
 */
export function createDispatchHandler(deps: DispatchDeps) {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger ?? pino({ level: 'silent' });
  const ttlMs = (deps.ttlSeconds ?? 7200) * 1000;
  return withValidationErrors('dispatch payload', async (event: unknown): Promise<{ commandId: string }> => {
    const size = Buffer.byteLength(JSON.stringify(event ?? null) ?? '');
    if (size > DISPATCH_INPUT_LIMIT)
      throw new PayloadTooLargeError('dispatch payload', size, DISPATCH_INPUT_LIMIT);
    const req = parseOrThrow(DispatchPayload, event, 'dispatch payload');
    const { kind, target } = req.command;
    // The job and the host's plan are independent reads: one round trip, not two.
    const [job, raw] = await Promise.all([
      deps.store.getJob(req.jobId),
      req.fromPlan
        ? paramsFromPlan(deps.store, req.jobId, req.fromPlan, req.command.params)
        : req.command.params,
    ]);
    const params = parseOrThrow(CommandParams[kind] as z.ZodType, raw, `${kind} params`) as Record<
      string,
      unknown
    >;
    // A command for a job that does not exist is not recorded, not logged and not sent.
    if (!job) throw new NotFoundError('job', req.jobId);
    refuseUnsent(job, req);
    const now = clock.now();
    const envelope = signEnvelope(
      {
        v: PROTOCOL_VERSION,
        id: newId(now.getTime()),
        kind,
        target,
        params,
        taskToken: req.taskToken,
        jobId: req.jobId,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      },
      await deps.relayKey(),
    );
    // Bookkeeping BEFORE the send: a fast device answers within milliseconds, and a result handled before its
    // record and step exist would be overwritten by them (the step left "running", the record without its job).
    // The record is what a result is checked against (its token and target): without it, no send. The step
    // and the log line are for people: a failure there is logged and does not hold the command back. The three
    // are separate items, written at once (one round trip before the send instead of three in a row).
    const record = {
      type: RELAY_COMMAND_TYPE,
      id: envelope.id,
      parent: req.jobId,
      sortKey: envelope.issuedAt,
      data: {
        commandId: envelope.id,
        jobId: req.jobId,
        kind,
        target,
        status: 'sent' as RelayCommandRecord['status'],
        sentAt: envelope.issuedAt,
        taskTokenSha256: taskTokenSha256(req.taskToken),
        ...(req.step ? { step: req.step } : {}),
      },
    };
    const hostId =
      req.step?.hostId ??
      (typeof params.hostId === 'string' ? params.hostId : target.type === 'idrac' ? target.id : undefined);
    const command = `${kind} to ${target.type} ${target.id}`;
    const line = (level: 'info' | 'error', text: string) =>
      deps.store.appendLog({
        jobId: req.jobId,
        level,
        message: req.step ? `${req.step.name}: ${text}` : text,
        ...(hostId ? { hostId } : {}),
      });
    const [recorded, stepped, logged] = await Promise.allSettled([
      deps.store.putRecord<RelayCommandRecord>(record),
      req.step ? putCommandStep(deps.store, clock, req.jobId, req.step, 'running') : undefined,
      line('info', `sent ${command}`),
    ]);
    if (recorded.status === 'rejected') {
      // Nothing is sent. What the other two writes already said is taken back: the step is not left running
      // for a result that never comes, and the console does not keep a "sent" alone.
      await Promise.all([
        req.step && stepped.status === 'fulfilled'
          ? putCommandStep(deps.store, clock, req.jobId, req.step, 'failed', 'not sent: not recorded')
          : undefined,
        logged.status === 'fulfilled'
          ? line('error', `${command} not sent: the command could not be recorded`)
          : undefined,
      ]).catch(() => undefined);
      throw recorded.reason;
    }
    for (const r of [stepped, logged])
      if (r.status === 'rejected')
        log.error(
          { err: r.reason, jobId: req.jobId, commandId: envelope.id },
          'command not recorded; sending it anyway',
        );
    try {
      await deps.commands.send(envelope);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await deps.store
        .putRecord<RelayCommandRecord>({
          ...record,
          data: { ...record.data, status: 'failed', error: { code: 'send_failed', message } },
        })
        .catch(() => undefined);
      throw err;
    }
    log.info({ jobId: req.jobId, commandId: envelope.id, kind, target }, 'command sent');
    return { commandId: envelope.id };
  });
}

/** The dispatch function from the platform: the Lambda entry below and the local stack build it alike. */
export const dispatchFromPlatform = (p: Platform) =>
  createDispatchHandler({
    store: p.store,
    commands: p.commands,
    relayKey: p.relayKeys,
    clock: p.clock,
    logger: p.logger.child({ fn: 'dispatch' }),
  });

/** AWS entry point. Env: TABLE_NAME, COMMANDS_QUEUE_URL, RELAY_SIGNING_KEY_SECRET_ARN. */
export default lambdaEntry(dispatchFromPlatform);
