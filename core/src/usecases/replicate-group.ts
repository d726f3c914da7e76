import type { Actor, Job } from '../jobs/job.schema';
import type { Store } from '../ports/store.port';
import { createProtectionGroupStore } from '../replication/protection-group-store';
import { ProtectionGroupName } from '../replication/zfs-names';
import { NotFoundError, RackOpsError } from '../util/errors';
import { parseOrThrow } from '../util/zod-errors';
import { type CreateJobOutcome, createJob } from './create-job';
import type { UseCaseDeps } from './deps';
import { activeFailoverOf } from './failover-test';

/** A second run of a group while one is pending or running: refused, and the refusal says which run holds it. */
export class ReplicationRunningError extends RackOpsError {
  constructor(
    readonly group: string,
    readonly jobId: string,
  ) {
    super(
      'replication_running',
      `protection group ${group} is already replicating (job ${jobId}): this run is skipped`,
    );
  }
}

/** The group's pending or running replication jobs, oldest first. */
export async function activeReplicationJobs(store: Store, group: string): Promise<Job[]> {
  const active: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listJobsByTarget('protection_group', group, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const j of page.items)
      if (j.type === 'replication_sync' && (j.status === 'pending' || j.status === 'running')) active.push(j);
    cursor = page.cursor;
  } while (cursor);
  return active.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * `replicate <group> now` and each scheduled tick: one `replication_sync` job for the group. A replication
 * writes only the replica (never the source), so it needs no second person. Refused, with nothing created,
 * for an unknown, paused or not (yet) approved group, while another run of the group is pending or running, and
 * while a failover of the group has not ended.
 */
export async function replicateGroup(
  deps: UseCaseDeps,
  input: { group: string; actor: Actor; conversationId?: string },
): Promise<{ job: Job; outcome: CreateJobOutcome }> {
  const name = parseOrThrow(ProtectionGroupName, input.group, 'protection group name');
  const read = await createProtectionGroupStore(deps.store).get(name);
  if (!read) throw new NotFoundError('protection group', name);
  if (read.value.approval !== 'approved')
    throw new RackOpsError(
      'group_not_approved',
      read.value.approval === 'pending'
        ? `protection group ${name} is waiting for four-eyes approval (\`pg approve ${name}\` by a second person): it does not replicate before`
        : `protection group ${name} was rejected: it never replicates (\`pg delete ${name}\` removes it)`,
    );
  if (read.value.state === 'paused')
    throw new RackOpsError('group_paused', `protection group ${name} is paused: resume it first`);
  // From the promotion on, the replica is live at DR: a sync into it is refused anyway; until the failover
  // is committed (then the group replicates the other way) or rolled back, none is started.
  const failover = await activeFailoverOf(deps, name);
  if (failover)
    throw new RackOpsError(
      'failover_running',
      `protection group ${name} is failing over (job ${failover.id}): no replication until it is committed or rolled back`,
    );
  const running = (await activeReplicationJobs(deps.store, name))[0];
  if (running) throw new ReplicationRunningError(name, running.id);
  return createJob(deps, {
    type: 'replication_sync',
    target: { kind: 'protection_group', id: name },
    actor: input.actor,
    production: false,
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
  });
}
