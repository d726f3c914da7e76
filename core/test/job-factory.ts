import type { NewJob } from '../src/ports/store.port';
import { newId } from '../src/util/ids';

/** A valid new job; override what a test cares about. */
export function aJob(overrides: Partial<NewJob> = {}): NewJob {
  const at = overrides.createdAt ?? new Date().toISOString();
  return {
    id: newId(),
    type: 'rolling_cluster_update',
    target: { kind: 'cluster', id: 'lab-a' },
    params: {},
    createdBy: { kind: 'user', id: 'u-alice', name: 'Alice' },
    createdAt: at,
    scheduleAt: at,
    details: {},
    requiresApproval: false,
    ...overrides,
  };
}
