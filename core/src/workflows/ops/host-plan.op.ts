import { z } from 'zod';
import type { Job } from '../../jobs/job.schema';
import type { JobItemStore } from '../../ports/job-item-store.port';
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
export type HostPlanItem = z.infer<typeof HostPlanItem>;

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

/** One host's firmware from its 'plan' item; a planned host without one is an error, never "nothing to do". */
export async function loadHostPlan(
  store: Pick<JobItemStore, 'getJobItem'>,
  jobId: string,
  hostId: string,
): Promise<HostPlanItem> {
  const item = await store.getJobItem<unknown>(jobId, 'plan', hostId);
  if (item === undefined)
    throw new RackOpsError('not_found', `job ${jobId} has no firmware plan for host ${hostId}`);
  return HostPlanItem.parse(item);
}

/**
 * A Map iteration's state (`$.host` a ref) with the host's firmware merged in, for the ops that need it
 * (host-done, the in-service update's ops): they load it themselves, so no state of the workflow does.
 * Also the `host-plan` op, which executions started under the definition before this one still call.
 */
export async function hostPlan(deps: OpsDeps, job: Job, raw: unknown): Promise<Record<string, unknown>> {
  const state = (raw ?? {}) as Record<string, unknown>;
  const ref = PlanRef.parse(state.host);
  const firmware = await loadHostPlan(deps.store, job.id, ref.hostId);
  return { ...state, host: { ...(state.host as object), ...firmware } };
}

/** The plan lists a device step may take its params from. */
export const PlanField = z.enum(['packages', 'expected', 'immediate', 'immediateExpected']);
export type PlanField = z.infer<typeof PlanField>;

/**
 * A device step's params taken from its host's 'plan' item by the dispatch (asl.ts deviceTask `fromPlan`):
 * param name → plan list. The firmware then never rides in the workflow state, and no state loads it.
 */
export const FromPlan = z.object({
  hostId: z.string().min(1).max(256),
  params: z.partialRecord(z.enum(['packages', 'expected']), PlanField),
});
export type FromPlan = z.infer<typeof FromPlan>;

/** `params` with the named plan lists set (before the command's params schema checks them). */
export async function paramsFromPlan(
  store: Pick<JobItemStore, 'getJobItem'>,
  jobId: string,
  from: FromPlan,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const plan = await loadHostPlan(store, jobId, from.hostId);
  const filled = { ...params };
  for (const [param, field] of Object.entries(from.params)) filled[param] = plan[field];
  return filled;
}
