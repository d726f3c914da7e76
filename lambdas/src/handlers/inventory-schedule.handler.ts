import { type Actor, isTerminal, type Job, SYSTEM } from '@rackops/core/jobs/job.schema';
import { inventoryScheduleFor, inventorySyncJobFields } from '@rackops/core/inventory/sync-job';
import { type Clock, systemClock } from '@rackops/core/ports/clock.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import type { Store } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { type Logger, pino } from 'pino';
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
 * Returns the schedule names.
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

export const InventorySyncFire = z.object({
  kind: z.literal('inventory-sync'),
  source: z.enum(['vcenter', 'ome']),
  sourceId: z.string().min(1),
});

export interface InventorySyncFireDeps {
  store: Store;
  /** core/src/usecases/start-job.ts `startJob` bound to its deps. */
  startJob: (jobId: string, actor: Actor) => Promise<Job | undefined>;
  clock?: Clock;
  logger?: Logger;
}

/**
 * What the scheduler (or `inventory sync` in chat) runs: create an inventory_sync job for the source and
 * start it — unless a sync of that source is still pending or running, in which case a second one would
 * only repeat its work: that job is returned instead (`started: false`).
 */
export function createInventorySyncFireHandler(deps: InventorySyncFireDeps) {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger ?? pino({ level: 'silent' });
  return async (event: unknown, actor: Actor = SYSTEM): Promise<{ job: Job; started: boolean }> => {
    const fire = parseOrThrow(InventorySyncFire, event, 'inventory sync schedule event');
    const fields = inventorySyncJobFields({ source: fire.source, sourceId: fire.sourceId });
    const recent = await deps.store.listJobsByTarget(fields.target.kind, fields.target.id, { limit: 20 });
    const active = recent.items.find((j) => j.type === 'inventory_sync' && !isTerminal(j.status));
    if (active) {
      log.info(
        { jobId: active.id, source: fire.source, sourceId: fire.sourceId },
        'inventory sync already active',
      );
      return { job: active, started: false };
    }
    const now = clock.now();
    const job = await deps.store.createJob({
      id: newId(now.getTime()),
      ...fields,
      details: {},
      createdBy: actor,
      createdAt: now.toISOString(),
      scheduleAt: now.toISOString(),
      requiresApproval: false,
    });
    await deps.store.recordAudit({
      actor,
      action: 'job.create',
      jobId: job.id,
      target: `${job.target.kind}:${job.target.id}`,
      detail: { type: job.type, trigger: actor.kind === 'system' ? 'schedule' : 'chat' },
    });
    const started = await deps.startJob(job.id, actor);
    log.info(
      { jobId: job.id, source: fire.source, sourceId: fire.sourceId, started: !!started },
      'inventory sync',
    );
    return { job: started ?? job, started: !!started };
  };
}
