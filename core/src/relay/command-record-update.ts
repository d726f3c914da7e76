import type { Timer } from '../ports/clock.port';
import type { StoredRecord, Store } from '../ports/store.port';
import { ConflictError } from '../util/errors';
import { RELAY_COMMAND_TYPE, type RelayCommandRecord } from './relay-command-record';

/** A command in one of these has ended: a late progress never writes `running` over it. */
export const FINAL_COMMAND_STATUSES: ReadonlySet<RelayCommandRecord['status']> = new Set([
  'succeeded',
  'failed',
  'rejected',
]);

export interface CommandRecordUpdateDeps {
  store: Pick<Store, 'getRecord' | 'putRecord'>;
  timer: Timer;
  /** Attempts of the conditional write before the caller sees the conflict. @default 8 */
  conflictAttempts?: number;
  /** First backoff between those attempts (full jitter, doubling, capped at 1 s). @default 20 */
  conflictBackoffMs?: number;
}

/**
 * Read-modify-write of a command's record, conditional on its version: results and progress of one command
 * may be handled at the same time (the results queue is unordered and its batches run concurrently), and a
 * progress read before the result must not write "running" over it. Returns the record as it was before.
 * `first` is the record as the authenticity check read it: the first attempt starts from it (a stale copy only
 * loses the conditional write and is read again).
 */
export async function updateCommandRecord(
  deps: CommandRecordUpdateDeps,
  msg: { commandId?: string | undefined; jobId?: string | undefined },
  patch: Partial<RelayCommandRecord>,
  first: StoredRecord<RelayCommandRecord> | undefined,
): Promise<RelayCommandRecord | undefined> {
  const commandId = msg.commandId;
  if (!commandId) return undefined;
  const conflictAttempts = deps.conflictAttempts ?? 8;
  const conflictBackoffMs = deps.conflictBackoffMs ?? 20;
  const final = patch.status !== undefined && FINAL_COMMAND_STATUSES.has(patch.status);
  for (let attempt = 0; ; attempt++) {
    const prev =
      attempt === 0 && first
        ? first
        : await deps.store.getRecord<RelayCommandRecord>(RELAY_COMMAND_TYPE, commandId);
    if (patch.status === 'running' && prev && FINAL_COMMAND_STATUSES.has(prev.data.status)) return prev.data;
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
      // An outcome (result, rejection) that lost its first write to a progress of its command goes again at
      // once: the workflow waits for it, and that progress (the agent's last before its result) will not
      // write again — a progress never writes over an outcome. Later losses, and every progress, back off.
      const backoffs = final ? attempt - 1 : attempt;
      if (backoffs < 0) continue;
      // Full jitter: racing writers spread out instead of colliding again.
      const ceiling = Math.min(1000, conflictBackoffMs * 2 ** backoffs);
      await deps.timer.sleep(Math.random() * ceiling);
    }
  }
}
