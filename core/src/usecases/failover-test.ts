import { FailoverTestParams } from '../failover/failover-test.schema';
import { type Actor, type Job, isTerminal } from '../jobs/job.schema';
import { createProtectionGroupStore } from '../replication/protection-group-store';
import { ProtectionGroupName } from '../replication/zfs-names';
import { NotFoundError, RackOpsError, ValidationError } from '../util/errors';
import { newId } from '../util/ids';
import { parseOrThrow } from '../util/zod-errors';
import { type CreateJobOutcome, createJob } from './create-job';
import type { UseCaseDeps } from './deps';
import { loadPaused, wake } from './resume-job';

/** The group's test failover that has not ended (one at a time: a second would clone and register again). */
export const activeTestFailover = (deps: UseCaseDeps, group: string) =>
  activeOfType(deps, group, 'failover_test');

/** The group's failover that has not ended: a test beside it would register the same VMs at DR twice. */
export const activeFailoverOf = (deps: UseCaseDeps, group: string) => activeOfType(deps, group, 'failover');

async function activeOfType(deps: UseCaseDeps, group: string, type: Job['type']): Promise<Job | undefined> {
  let cursor: string | undefined;
  do {
    const page = await deps.store.listJobsByTarget('protection_group', group, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    const found = page.items.find((j) => j.type === type && !isTerminal(j.status));
    if (found) return found;
    cursor = page.cursor;
  } while (cursor);
  return undefined;
}

/**
 * `failover test <group>`: one `failover_test` job. It writes nothing at the source and nothing into the
 * replica (a clone of it), so no second person; refused, with nothing created, for an unknown group, one with
 * no replica yet, or while the group's previous test is still up.
 */
export async function startTestFailover(
  deps: UseCaseDeps,
  input: { group: string; actor: Actor; params: unknown; conversationId?: string },
): Promise<{ job: Job; outcome: CreateJobOutcome }> {
  const name = parseOrThrow(ProtectionGroupName, input.group, 'protection group name');
  const params = parseOrThrow(FailoverTestParams, input.params, 'test failover');
  const read = await createProtectionGroupStore(deps.store).get(name);
  if (!read) throw new NotFoundError('protection group', name);
  if (!read.value.lastReplica)
    throw new RackOpsError('no_replica', `protection group ${name} has no replica yet: nothing to test`);
  const failover = await activeFailoverOf(deps, name);
  if (failover)
    throw new RackOpsError(
      'failover_running',
      `a failover of ${name} is ${failover.status} (job ${failover.id}): no test failover beside it`,
    );
  const running = await activeTestFailover(deps, name);
  if (running)
    throw new RackOpsError(
      'failover_test_running',
      `a test failover of ${name} is still up (job ${running.id}): clean it up first`,
    );
  return createJob(deps, {
    type: 'failover_test',
    target: { kind: 'protection_group', id: name },
    params: JSON.parse(JSON.stringify(params)) as Record<string, unknown>,
    actor: input.actor,
    production: false,
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
  });
}

/**
 * *Clean up* on a test failover's pause card: the workflow goes on from its task token into the clean-up
 * (VMs unregistered, datastore unmounted, clone destroyed). Only a paused `failover_test` job; the version
 * the card showed must still be the job's (a second click, or a card left from before, changes nothing).
 */
export async function cleanUpTestFailover(
  deps: UseCaseDeps,
  input: { jobId: string; actor: Actor; expectedVersion?: number },
): Promise<Job> {
  const job = await loadPaused(deps, input.jobId, input.expectedVersion);
  if (job.type !== 'failover_test')
    throw new ValidationError(`job ${job.id} is a ${job.type} job, not a test failover: nothing cleaned up`);
  // The resume is recorded (audit) with its own id, as a blocker resolution is; the workflow reads no hosts.
  const resolutionId = newId();
  return wake(deps, job, input.actor, { resolutionId }, { resolutionId, resolutions: [] });
}
