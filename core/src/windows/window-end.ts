import { isTerminal, SYSTEM } from '../jobs/job.schema';
import type { Store } from '../ports/store.port';
import { createWindowStore } from './window-store';

/**
 * The end of an occurrence (its `window-<id>-end` schedule fired): every job it started that is still going gets
 * the `window_end` stop reason. No new host starts, and a host that has not begun flashing is put back at its
 * next checkpoint (out of maintenance, VMs on) and left for the next occurrence; a host mid-flash finishes.
 * The same mechanism as `cancel <id> now`, but the job ends as it otherwise would (not cancelled). Returns the
 * ids of the jobs told to stop.
 */
export async function endOccurrence(
  deps: { store: Store; now: () => Date },
  windowId: string,
  start: string,
): Promise<string[]> {
  const found = await createWindowStore(deps.store, deps.now).getOccurrence(windowId, start);
  if (found?.value.status !== 'running') return [];
  const ids = found.value.jobIds ?? (found.value.jobId ? [found.value.jobId] : []);
  const stopped: string[] = [];
  const at = deps.now().toISOString();
  for (const id of ids) {
    const job = await deps.store.getJob(id);
    if (!job || isTerminal(job.status) || job.stopReason) continue;
    await deps.store.updateJob(id, {
      stopReason: { kind: 'window_end', at, detail: `occurrence ${start} of window ${windowId}` },
    });
    await Promise.all([
      deps.store.appendLog({
        jobId: id,
        level: 'warn',
        message: `maintenance window ${windowId} ended: no new host starts; hosts not yet flashing are put back`,
      }),
      deps.store.recordAudit({
        actor: SYSTEM,
        action: 'job.stop_request',
        jobId: id,
        detail: { kind: 'window_end', windowId, start },
      }),
    ]);
    stopped.push(id);
  }
  return stopped;
}
