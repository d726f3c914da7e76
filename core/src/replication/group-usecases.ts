import type { Actor } from '../jobs/job.schema';
import type { Clock } from '../ports/clock.port';
import type { Scheduler } from '../ports/scheduler.port';
import type { Store } from '../ports/store.port';
import { NotFoundError, ValidationError } from '../util/errors';
import { createProtectionGroupStore } from './protection-group-store';
import type { ProtectionGroup, ProtectionGroupInput } from './protection-group.schema';
import { syncEveryMinutes } from './rpo';
import { isRunnable } from './group-approval';

export interface GroupDeps {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
}

/** The recurring schedule of a group's sync (EventBridge Scheduler names allow what group names allow). */
export const replicationScheduleName = (group: string): string => `pg-${group}`;

async function arm(deps: GroupDeps, g: ProtectionGroup): Promise<void> {
  await deps.scheduler.scheduleEvery({
    name: replicationScheduleName(g.name),
    everyMinutes: syncEveryMinutes(g.rpoMinutes),
    target: { kind: 'replication', group: g.name },
  });
}

/** Schedule the group when it may run (active and approved), else make sure no schedule is left. */
export async function syncSchedule(deps: GroupDeps, g: ProtectionGroup): Promise<void> {
  if (isRunnable(g)) await arm(deps, g);
  else await deps.scheduler.cancel(replicationScheduleName(g.name));
}

/**
 * A new protection group, stored then scheduled (every RPO/2). A production group (`production`, see
 * isProductionGroup) is stored `pending` and not scheduled until a second person approves it. A name already
 * taken is refused with nothing changed; if the schedule cannot be made the group is left paused, so what
 * the Store says is what runs.
 */
export async function createGroup(
  deps: GroupDeps,
  input: Omit<
    ProtectionGroupInput,
    'createdAt' | 'createdBy' | 'state' | 'lastReplica' | 'approval' | 'pendingChange'
  > & { production: boolean },
  actor: Actor,
): Promise<ProtectionGroup> {
  const pgs = createProtectionGroupStore(deps.store);
  const g = await pgs.create({
    ...input,
    approval: input.production ? 'pending' : 'approved',
    createdBy: actor,
    createdAt: deps.clock.now().toISOString(),
  });
  try {
    if (isRunnable(g)) await arm(deps, g);
  } catch (err) {
    await pgs.update(g.name, (x) => ({ ...x, state: 'paused' }));
    throw err;
  }
  await deps.store.recordAudit({
    actor,
    action: 'protection-group.create',
    target: `protection-group:${g.name}`,
    detail: {
      source: g.source,
      target: g.target,
      rpoMinutes: g.rpoMinutes,
      transport: g.transport,
      vmConsistent: g.vmConsistent,
      production: g.production,
      approval: g.approval,
    },
  });
  return g;
}

/** Pause (no more scheduled runs; replicas and snapshots stay) or resume (scheduled again). */
export async function setGroupState(
  deps: GroupDeps,
  name: string,
  state: 'active' | 'paused',
  actor: Actor,
): Promise<{ group: ProtectionGroup; changed: boolean }> {
  const pgs = createProtectionGroupStore(deps.store);
  const read = await pgs.get(name);
  if (!read) throw new NotFoundError('protection group', name);
  const changed = read.value.state !== state;
  const group = changed ? await pgs.update(name, (g) => ({ ...g, state })) : read.value;
  // Convergent either way: a schedule left behind by a crash between the two writes is put right.
  await syncSchedule(deps, group);
  if (changed)
    await deps.store.recordAudit({
      actor,
      action: state === 'paused' ? 'protection-group.pause' : 'protection-group.resume',
      target: `protection-group:${name}`,
    });
  return { group, changed };
}

/** `SITE:DATASET` as typed in chat, split at the first `:` (an appliance id in chat carries none). */
export function splitApplianceDataset(text: string): { appliance: string; dataset: string } {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1)
    throw new ValidationError(`"${text}" is not APPLIANCE:DATASET (e.g. nas-a:tank/vmstore)`);
  return { appliance: text.slice(0, at), dataset: text.slice(at + 1) };
}
