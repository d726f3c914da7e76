import type { ScheduleTarget } from '../ports/scheduler.port';
import type { JobItemStore } from '../ports/job-item-store.port';
import { formatRunSummary, summarizeInventoryRun, type RunSummary } from './ingest-report';

/** Name and target of the recurring schedule of one source's sync. */
export function inventoryScheduleFor(
  source: 'vcenter' | 'ome',
  sourceId: string,
): { name: string; target: ScheduleTarget } {
  return {
    name: `inventory-sync-${source}-${sourceId}`,
    target: { kind: 'inventory-sync', source, sourceId },
  };
}

/*
 * inventory_sync jobs: the job's target names the source (`{kind:'vcenter'|'ome', id}`); JobOps `begin`
 * (core/src/workflows/ops/single-command.op.ts) turns it into the one relay command, the agent streams
 * pages, the result handler hands them to `ingestInventoryPage` (lambdas/src/handlers/inventory-page.handler.ts),
 * and the scheduler's claim handler creates one job per tick unless one is still running.
 */

/**
 * For JobOps `finish`: totals of the pages this job ingested, and a one-line summary. `complete` is
 * false when the final page never arrived (the command failed mid-stream): objects not seen in this
 * run were then NOT marked gone except within the groups that did arrive, which is always safe.
 */
export async function inventorySyncOutcome(
  store: JobItemStore,
  jobId: string,
): Promise<{ summary: string; totals: RunSummary; complete: boolean }> {
  const totals = await summarizeInventoryRun(store, jobId);
  const complete = totals.sawLast;
  return {
    summary: `${formatRunSummary(totals)}${complete ? '' : ' (incomplete: the last page never arrived)'}`,
    totals,
    complete,
  };
}
