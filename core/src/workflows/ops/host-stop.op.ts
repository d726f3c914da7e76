import type { Job } from '../../jobs/job.schema';
import { stopReasonOf, stopWords } from '../../jobs/stop-reason';
import { releaseHost } from './apply-now.op';
import { HostIterState } from './host-iter';
import { finishWave } from './hosts.op';
import type { OpsDeps } from './ops-deps';
import { getHost, log, putHost, putStep } from './progress';
import { hostStepKey } from '../../jobs/job-step';

/**
 * Whether a host's window must stop now: a job with a stop reason (`cancel <id> now`, or the end of the
 * maintenance window that started it). A graceful cancel lets hosts in flight finish, so it does not stop them.
 * The host processor checks this at its stop points through the dispatch (asl.ts `stopTo`, no state of its
 * own); the op stays for callers outside a workflow.
 */
export async function checkCancel(_deps: OpsDeps, job: Job): Promise<{ stop: boolean }> {
  return { stop: stopReasonOf(job) !== undefined };
}

/**
 * The job's stop reason stopped the host before it flashed: the workflow has taken it out of maintenance mode (if
 * it had entered) and powered its VMs back on. Counted as not started (untouched); Cleanup un-stages its firmware
 * like every planned host that was not updated.
 */
export async function hostStopped(deps: OpsDeps, job: Job, raw: unknown): Promise<{ ok: true }> {
  const s = HostIterState.parse(raw);
  const item = (await getHost(deps, job.id, s.host.hostId)) ?? {
    hostId: s.host.hostId,
    phase: 'pending' as const,
  };
  const vms = item.powerOff?.length ?? 0;
  // The report's line reads "not started (<reason>); untouched, nothing applied". A window's end starts with
  // WINDOW_END_REASON, so the occurrence counts the host as left for the next one.
  const stop = stopReasonOf(job) ?? { kind: 'cancel_now' as const, at: job.updatedAt };
  const reason = `${stopWords(stop)}: stopped before flashing, out of maintenance${vms ? `, ${vms} VM(s) powered back on` : ''}`;
  const state = `not started (${reason}); untouched`;
  await Promise.all([
    putHost(deps, job.id, { ...item, phase: 'not_started', batchIndex: s.host.wave ?? 0, reason, state }),
    putStep(deps, job.id, {
      key: hostStepKey(s.host.hostId),
      name: `Update ${s.host.name ?? s.host.hostId}`,
      status: 'skipped',
      hostId: s.host.hostId,
      batchIndex: s.host.wave ?? 0,
      message: state,
    }),
    log(deps, job.id, 'warn', state, s.host.hostId),
  ]);
  await releaseHost(deps, job.id, s.host.hostId, 'window');
  await finishWave(deps, job, s.host);
  return { ok: true };
}
