import type { Job } from '@rackops/core/jobs/job.schema';
import type { JobStore } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';

/** A rolling update already running (no workflow behind it): the card-lag benches write its steps themselves. */
export async function createRunningBenchJob(
  store: Pick<JobStore, 'createJob' | 'transitionJob'>,
  i: number,
  conversationId?: string,
): Promise<Job> {
  const at = new Date().toISOString();
  const job = await store.createJob({
    id: newId(),
    type: 'rolling_cluster_update',
    target: { kind: 'cluster', id: 'domain-c1' },
    params: { clusterName: `bench-${i}` },
    createdBy: { kind: 'user', id: 'local-operator', name: 'local-operator' },
    createdAt: at,
    scheduleAt: at,
    details: {},
    requiresApproval: false,
    ...(conversationId ? { conversationId } : {}),
  });
  return store.transitionJob(job.id, { type: 'start', actor: { kind: 'system', id: 'bench' } });
}
