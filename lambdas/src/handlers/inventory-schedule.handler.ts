import { inventoryScheduleFor } from '@rackops/core/inventory/sync-job';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { z } from 'zod';

/** Which sources sync on a schedule, and how often (from configuration / environment). */
export const InventoryScheduleConfig = z.object({
  /** Minutes between syncs of each source. */
  everyMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(60),
  vcenters: z.array(z.string().min(1)).default([]),
  omes: z.array(z.string().min(1)).default([]),
});
export type InventoryScheduleConfig = z.infer<typeof InventoryScheduleConfig>;

/**
 * Create (or replace: same name) one recurring schedule per source. Safe at every deploy/start.
 * Returns the schedule names. At each tick the scheduler fires `{kind:'inventory-sync', source, sourceId}`
 * into the claim handler (lambdas/src/handlers/claim.handler.ts), which creates and starts an
 * inventory_sync job unless one for that source is still pending or running.
 */
export async function setupInventorySchedules(scheduler: Scheduler, input: unknown): Promise<string[]> {
  const cfg = parseOrThrow(InventoryScheduleConfig, input, 'inventory schedule config');
  const names: string[] = [];
  const sources = [
    ...cfg.vcenters.map((id) => ['vcenter', id] as const),
    ...cfg.omes.map((id) => ['ome', id] as const),
  ];
  for (const [source, id] of sources) {
    const { name, target } = inventoryScheduleFor(source, id);
    await scheduler.scheduleEvery({ name, everyMinutes: cfg.everyMinutes, target });
    names.push(name);
  }
  return names;
}
