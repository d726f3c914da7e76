import { type Actor, SYSTEM } from '../jobs/job.schema';
import { samePerson } from '../jobs/same-person';
import { RackOpsError } from '../util/errors';
import type { WindowRecord } from './window.schema';

export class WindowApprovalError extends RackOpsError {
  constructor(message: string) {
    super('window_approval', message);
  }
}

/**
 * Approve or reject a series. Production windows need four eyes: the approver must be a different, known
 * person than the creator. A series approved once stays approved until it is edited (`version` raised).
 */
export function decideWindow(
  w: WindowRecord,
  by: Actor,
  decision: 'approve' | 'reject',
  at: Date,
): WindowRecord {
  if (w.state === 'cancelled') throw new WindowApprovalError(`window ${w.windowId} is cancelled`);
  if (by.kind !== 'user') throw new WindowApprovalError('only a person approves or rejects a window');
  if (decision === 'approve' && w.production) {
    const same = samePerson(w.createdBy, by);
    if (same === 'same') {
      throw new WindowApprovalError(
        `window ${w.windowId} touches production: a second person must approve it, not its creator`,
      );
    }
    if (same === 'unknown') {
      throw new WindowApprovalError(
        `cannot tell whether you are the creator of window ${w.windowId}; four-eyes needs a known person`,
      );
    }
  }
  return {
    ...w,
    approval: decision === 'approve' ? 'approved' : 'rejected',
    approvedBy: by,
    approvedAt: at.toISOString(),
  };
}

/** Is the series allowed to run now? Non-production windows need no second person. */
export function approvalAtFireTime(w: WindowRecord): { ok: true } | { ok: false; reason: string } {
  if (w.state === 'cancelled') return { ok: false, reason: 'the window was cancelled' };
  if (w.approval === 'rejected') {
    return { ok: false, reason: `rejected by ${w.approvedBy?.name ?? w.approvedBy?.id ?? SYSTEM.id}` };
  }
  if (w.production && w.approval !== 'approved') {
    return { ok: false, reason: 'production window not approved by a second person' };
  }
  return { ok: true };
}
