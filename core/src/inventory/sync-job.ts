import { z } from 'zod';
import type { CommandTarget } from '../relay/envelope';
import type { Job, JobTarget } from '../jobs/job.schema';
import type { ScheduleTarget } from '../ports/scheduler.port';
import type { Store } from '../ports/store.port';
import { parseOrThrow } from '../util/zod-errors';
import { formatRunSummary, summarizeInventoryRun, type RunSummary } from './ingest-report';

/** `inventory_sync` job params: which source to read. The job target is `{kind: source, id: sourceId}`. */
export const InventorySyncParams = z.object({
  source: z.enum(['vcenter', 'ome']),
  sourceId: z.string().min(1).max(200),
  /** Items per streamed page (agent default when absent). */
  pageSize: z.number().int().positive().max(1000).optional(),
});
export type InventorySyncParams = z.infer<typeof InventorySyncParams>;

/** Job fields of an inventory sync (for createJob): target and params agree by construction. */
export function inventorySyncJobFields(p: InventorySyncParams): {
  type: 'inventory_sync';
  target: JobTarget;
  params: InventorySyncParams;
} {
  const params = parseOrThrow(InventorySyncParams, p, 'inventory sync params');
  return { type: 'inventory_sync', target: { kind: params.source, id: params.sourceId }, params };
}

/**
 * The one relay command an inventory_sync job runs (JobOps `begin` returns it to the workflow):
 * `inventory.vcenter` / `inventory.ome`, which streams pages as progress messages.
 */
export function inventorySyncCommand(job: Pick<Job, 'type' | 'params'>): {
  kind: 'inventory.vcenter' | 'inventory.ome';
  target: CommandTarget;
  params: { pageSize?: number };
} {
  const p = parseOrThrow(InventorySyncParams, job.params, 'inventory sync params');
  return {
    kind: p.source === 'vcenter' ? 'inventory.vcenter' : 'inventory.ome',
    target: { type: p.source, id: p.sourceId },
    params: p.pageSize ? { pageSize: p.pageSize } : {},
  };
}

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

/**
 * For JobOps `finish`: totals of the pages this job ingested, and a one-line summary. `complete` is
 * false when the final page never arrived (the command failed mid-stream): objects not seen in this
 * run were then NOT marked gone except within the groups that did arrive, which is always safe.
 */
export async function inventorySyncOutcome(
  store: Store,
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
