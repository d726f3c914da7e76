import { z } from 'zod';
import { Blocker } from '../inventory/inventory.schema';
import type { JobItemStore } from '../ports/job-item-store.port';

/**
 * A 'blocker' job item (one per canonical host id) as JobOps stores it at pause time. Accepts the bare list or
 * an object carrying it, so the reader does not break if the writer wraps the list with host context.
 */
const StoredBlockerItem = z.union([
  z.array(Blocker),
  z.object({ hostName: z.string().optional(), blockers: z.array(Blocker) }).loose(),
]);

export interface HostBlockers {
  hostId: string;
  hostName?: string;
  blockers: Blocker[];
}

export async function loadBlockers(store: JobItemStore, jobId: string): Promise<HostBlockers[]> {
  const items = await store.listJobItems<unknown>(jobId, 'blocker');
  return items
    .map(({ key, data }) => {
      const parsed = StoredBlockerItem.parse(data);
      if (Array.isArray(parsed)) return { hostId: key, blockers: parsed };
      return {
        hostId: key,
        blockers: parsed.blockers,
        ...(parsed.hostName ? { hostName: parsed.hostName } : {}),
      };
    })
    .sort((a, b) => a.hostId.localeCompare(b.hostId));
}
