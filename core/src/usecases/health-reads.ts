import { Host, INVENTORY_TYPES } from '../inventory/inventory.schema';
import { SYSTEM } from '../jobs/job.schema';
import type { RecordReader } from '../ports/record-store.port';
import { listAllRecords } from '../store/list-all-records';
import { newId } from '../util/ids';
import { type StartJobDeps, startJob } from './start-job';

/**
 * On a vCenter's inventory schedule tick: one hardware health read (`inventory_sync` with `read: health`, the
 * `inventory.health` relay command) per host of that vCenter, so `health` and `host_unhealthy` follow the
 * servers without anyone asking. A host whose previous read is still pending or running gets no second one.
 * Returns how many reads were started.
 */
export async function startHealthReads(
  deps: StartJobDeps & { store: StartJobDeps['store'] & RecordReader },
  vcenterId: string,
): Promise<number> {
  const hosts = (await listAllRecords(deps.store, INVENTORY_TYPES.host)).flatMap((r) => {
    const h = r.gone ? undefined : Host.safeParse(r.data);
    return h?.success && h.data.vcenterId === vcenterId ? [h.data] : [];
  });
  let started = 0;
  for (const host of hosts) {
    const recent = (await deps.store.listJobsByTarget('host', host.id, { limit: 20 })).items;
    const busy = recent.some(
      (j) =>
        j.type === 'inventory_sync' &&
        j.params.read === 'health' &&
        (j.status === 'pending' || j.status === 'running'),
    );
    if (busy) continue;
    const now = deps.clock.now();
    const job = await deps.store.createJob({
      id: newId(now.getTime()),
      type: 'inventory_sync',
      target: { kind: 'host', id: host.id },
      params: { read: 'health' },
      details: {},
      createdBy: SYSTEM,
      createdAt: now.toISOString(),
      scheduleAt: now.toISOString(),
      requiresApproval: false,
    });
    if (await startJob(deps, job.id, SYSTEM)) started++;
  }
  return started;
}
