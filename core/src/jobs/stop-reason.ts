import { RackOpsError } from '../util/errors';
import type { Job, StopReason } from './job.schema';

/** How a host the window's end kept from starting (or stopped) is marked: the next occurrence takes exactly these. */
export const WINDOW_END_REASON = 'the maintenance window ends too soon';

/**
 * The job's stop reason. A job whose immediate cancel was recorded before `stopReason` existed still stops:
 * its `cancelRequested: 'immediate'` reads as `cancel_now`.
 */
export function stopReasonOf(
  job: Pick<Job, 'stopReason' | 'cancelRequested' | 'updatedAt'>,
): StopReason | undefined {
  if (job.stopReason) return job.stopReason;
  return job.cancelRequested === 'immediate' ? { kind: 'cancel_now', at: job.updatedAt } : undefined;
}

/** Why a host did not start, or was stopped before flashing, in the words its host line and report use. */
export function stopWords(stop: StopReason): string {
  return stop.kind === 'cancel_now'
    ? 'immediate cancel'
    : `${WINDOW_END_REASON}: the window ended at ${stop.at}${stop.detail ? ` (${stop.detail})` : ''}`;
}

/**
 * A host's step that is a stop point (asl.ts `stopPoint`) was not sent: the job has a stop reason. Its name is
 * the ASL Error the host processor catches to put the host back (out of maintenance, VMs on).
 */
export class HostStopRequested extends RackOpsError {
  constructor(stop: StopReason) {
    super('host_stop_requested', `not sent: ${stopWords(stop)}`);
  }
}

/** A step that would put a host back in service was not sent: its firmware did not verify after the reboot. */
export class NotVerified extends RackOpsError {
  constructor() {
    super('not_verified', "not sent: the host's firmware did not verify after its reboot");
  }
}

/**
 * What the dispatch checks before a host's command is recorded or sent (asl.ts `stopTo`, `onlyIf`): a stop point
 * of a job with a stop reason, or a step that would put a host back in service without a verification. Throws.
 */
export function refuseUnsent(
  job: Pick<Job, 'stopReason' | 'cancelRequested' | 'updatedAt'>,
  step: { stopPoint?: boolean; verified?: boolean },
): void {
  const stop = step.stopPoint ? stopReasonOf(job) : undefined;
  if (stop) throw new HostStopRequested(stop);
  if (step.verified === false) throw new NotVerified();
}
