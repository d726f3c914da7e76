import type { Store, StoredRecord } from '@rackops/core/ports/store.port';
import { FINAL_COMMAND_STATUSES } from '@rackops/core/relay/command-record-update';
import { messageGroupId } from '@rackops/core/relay/envelope';
import type { KeyMaterial } from '@rackops/core/relay/keyring';
import { type MessageRefusal, verifyRelayMessage } from '@rackops/core/relay/message-signature';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import {
  RELAY_COMMAND_TYPE,
  type RelayCommandRecord,
  taskTokenSha256,
} from '@rackops/core/relay/relay-command-record';

/** Why the result handler did not believe a message from the results queue. */
export type AuthenticityRefusal =
  | MessageRefusal
  | 'unknown_command'
  | 'token_mismatch'
  | 'target_mismatch'
  | 'kind_mismatch'
  | 'job_mismatch'
  | 'conflicting_result';

export type AuthenticityOutcome =
  /** `record`: the command's record as read for the check, so the handler's first update need not read it again. */
  | { ok: true; message: RelayMessage; record?: StoredRecord<RelayCommandRecord> }
  | { ok: false; reason: AuthenticityRefusal; detail: string; message?: RelayMessage };

/**
 * Whether a results-queue message is the agent's answer to a command we sent. Anyone able to send to the
 * results queue could otherwise answer any task token. In order:
 * 1. signed by a key we accept, sent neither in the future nor too long ago (message-signature.ts);
 * 2. about a command we dispatched: its record exists, and the message's task token, target, kind and job are
 *    the ones recorded at dispatch (the record keeps a SHA-256 of the token);
 * 3. a result does not contradict the outcome already recorded (a replayed or forged second answer).
 * Heartbeats carry no command: a valid signature is enough. A rejection the agent could not tie to a command
 * (no id: the body was not even JSON) names no token and acts on nothing, so it passes as well.
 */
export async function checkAuthenticity(
  raw: unknown,
  deps: { store: Store; keys: KeyMaterial; now: Date },
): Promise<AuthenticityOutcome> {
  const v = verifyRelayMessage(raw, deps.keys, deps.now);
  if (!v.ok) return v;
  const msg = v.message;
  if (msg.type === 'agent-heartbeat') return { ok: true, message: msg };
  const refuse = (reason: AuthenticityRefusal, detail: string): AuthenticityOutcome => ({
    ok: false,
    reason,
    detail,
    message: msg,
  });
  if (msg.commandId === undefined) {
    if (msg.type === 'rejected' && msg.taskToken === undefined && msg.jobId === undefined)
      return { ok: true, message: msg };
    return refuse('unknown_command', 'the message names no command but carries a task token or job');
  }
  const record = await deps.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, msg.commandId);
  const rec = record?.data;
  if (!rec) return refuse('unknown_command', `no command ${msg.commandId} was dispatched`);
  if (msg.taskToken !== undefined && rec.taskTokenSha256 !== taskTokenSha256(msg.taskToken))
    return refuse('token_mismatch', `the task token is not the one command ${msg.commandId} was sent with`);
  const sentTo = rec.target ? messageGroupId(rec.target) : undefined;
  // A rejection of a command the agent could not read has no target; results and progress always have one.
  if (sentTo !== msg.target && !(msg.type === 'rejected' && msg.target === undefined))
    return refuse(
      'target_mismatch',
      `command ${msg.commandId} was sent to ${sentTo ?? '(unknown)'}, not ${msg.target ?? '(none)'}`,
    );
  if (msg.type !== 'rejected' && rec.kind !== msg.kind)
    return refuse(
      'kind_mismatch',
      `command ${msg.commandId} is a ${rec.kind ?? '(unknown)'}, not a ${msg.kind}`,
    );
  if (msg.jobId !== rec.jobId)
    return refuse(
      'job_mismatch',
      `command ${msg.commandId} belongs to job ${rec.jobId ?? '(none)'}, not ${msg.jobId ?? '(none)'}`,
    );
  if (
    msg.type === 'result' &&
    FINAL_COMMAND_STATUSES.has(rec.status) &&
    rec.status !== (msg.ok ? 'succeeded' : 'failed')
  )
    return refuse('conflicting_result', `command ${msg.commandId} already ended ${rec.status}`);
  if (msg.type === 'rejected' && FINAL_COMMAND_STATUSES.has(rec.status) && rec.status !== 'rejected')
    return refuse('conflicting_result', `command ${msg.commandId} already ended ${rec.status}`);
  return { ok: true, message: msg, record };
}
