import type { Job } from '../../jobs/job.schema';
import { RackOpsError } from '../../util/errors';
import type { OpsDeps } from './ops-deps';
import { PlanHost, PlanRef } from './state.schema';

/** Job item kind 'plan', key = host id: what a planned host gets, kept out of the workflow state. */
export const HostPlanItem = PlanHost.pick({
  packages: true,
  expected: true,
  immediate: true,
  immediateExpected: true,
});

/** Written once the plan is made (preflight): every planned host's firmware, one item each. */
export async function putHostPlans(deps: OpsDeps, jobId: string, hosts: readonly PlanHost[]): Promise<void> {
  await Promise.all(
    hosts.map((h) =>
      deps.store.putJobItem(jobId, 'plan', h.hostId, {
        packages: h.packages,
        expected: h.expected,
        immediate: h.immediate,
        immediateExpected: h.immediateExpected,
      }),
    ),
  );
}

/**
 * A Map iteration's first step: its host ref (`$.host`) gets the host's firmware from the job's 'plan' item, so
 * the steps after it (stage, apply + verify, in-service update) see the whole host as before.
 */
export async function hostPlan(deps: OpsDeps, job: Job, raw: unknown): Promise<Record<string, unknown>> {
  const state = (raw ?? {}) as Record<string, unknown>;
  const ref = PlanRef.parse(state.host);
  const item = await deps.store.getJobItem<unknown>(job.id, 'plan', ref.hostId);
  if (item === undefined)
    throw new RackOpsError('not_found', `job ${job.id} has no firmware plan for host ${ref.hostId}`);
  const firmware = HostPlanItem.parse(item);
  return { ...state, host: { ...(state.host as object), ...firmware } };
}
