import type { Job } from '@rackops/core/jobs/job.schema';
import type { Store } from '@rackops/core/ports/store.port';
import type { ClaimOutcome } from '@rackops/lambdas/handlers/claim.handler';
import type { Logger } from 'pino';

export interface InventorySource {
  source: 'vcenter' | 'ome';
  id: string;
}

const ENDED: readonly Job['status'][] = ['completed', 'failed', 'cancelled'];

/**
 * Syncs every source now, the way a schedule tick does (the claim handler: one inventory_sync job per
 * source, or the one already running), and waits for the jobs to end. Never throws: a source that fails
 * or is slow is logged, and the Store keeps what it had for it.
 */
export async function syncInventoryNow(
  deps: { claim: (event: unknown) => Promise<ClaimOutcome>; store: Store; logger: Logger },
  sources: readonly InventorySource[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    sources.map(async ({ source, id }) => {
      try {
        const claimed = await deps.claim({ kind: 'inventory-sync', source, sourceId: id });
        const jobId = 'jobId' in claimed ? claimed.jobId : undefined;
        if (!jobId) throw new Error(`no sync job: ${'reason' in claimed ? claimed.reason : claimed.outcome}`);
        for (;;) {
          const job = await deps.store.getJob(jobId);
          if (job && ENDED.includes(job.status)) {
            if (job.status !== 'completed')
              deps.logger.warn(
                { source, id, jobId, error: job.error },
                `inventory sync at start ${job.status}`,
              );
            return;
          }
          if (Date.now() > deadline) {
            deps.logger.warn({ source, id, jobId }, 'inventory sync at start still running; not waiting');
            return;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      } catch (err) {
        deps.logger.warn({ err, source, id }, 'inventory sync at start could not run');
      }
    }),
  );
}
