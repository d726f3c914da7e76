import type { Actor } from '../jobs/job.schema';
import { activeReplicationJobs } from '../usecases/replicate-group';
import { ConflictError, NotFoundError, RackOpsError } from '../util/errors';
import { parseOrThrow } from '../util/zod-errors';
import { applyChange, decideGroup, describeChange } from './group-approval';
import { type GroupDeps, syncSchedule } from './group-usecases';
import { PROTECTION_GROUP_TYPE, REPLICA_TYPE, createProtectionGroupStore } from './protection-group-store';
import { GroupChange, ProtectionGroup } from './protection-group.schema';
import { listAllRecords } from '../store/list-all-records';

/** What became of a requested change: done at once, or waiting for a second person. */
export type ChangeOutcome =
  | { status: 'applied'; group: ProtectionGroup | undefined }
  | { status: 'pending'; group: ProtectionGroup };

const audit = (
  deps: GroupDeps,
  actor: Actor,
  action: string,
  name: string,
  detail?: Record<string, unknown>,
) =>
  deps.store.recordAudit({
    actor,
    action: `protection-group.${action}`,
    target: `protection-group:${name}`,
    ...(detail ? { detail } : {}),
  });

async function requireGroup(deps: GroupDeps, name: string) {
  const read = await createProtectionGroupStore(deps.store).get(name);
  if (!read) throw new NotFoundError('protection group', name);
  return read;
}

/**
 * Remove the group: its schedule, its record and its replica records. The snapshots on the appliances stay
 * (RackOps never destroys replicated data on a chat command). Refused while one of its runs is active.
 */
async function removeGroup(deps: GroupDeps, g: ProtectionGroup): Promise<void> {
  const running = (await activeReplicationJobs(deps.store, g.name))[0];
  if (running)
    throw new RackOpsError(
      'replication_running',
      `protection group ${g.name} is replicating now (job ${running.id}): delete it when the run has ended`,
    );
  await deps.scheduler.cancel(`pg-${g.name}`);
  for (const r of await listAllRecords(deps.store, REPLICA_TYPE, g.name))
    await deps.store.deleteRecord(REPLICA_TYPE, r.id);
  await deps.store.deleteRecord(PROTECTION_GROUP_TYPE, g.name);
}

/** The group with the change applied, checked whole (e.g. at most 500 VMs). */
const changed = (g: ProtectionGroup, change: GroupChange): ProtectionGroup =>
  parseOrThrow(ProtectionGroup, applyChange(g, change), 'protection group');

/** Apply a change (already approved, or needing no approval) to the stored group; `undefined` once deleted. */
async function apply(
  deps: GroupDeps,
  g: ProtectionGroup,
  storeVersion: number,
  change: GroupChange,
): Promise<ProtectionGroup | undefined> {
  if (change.kind === 'delete') {
    await removeGroup(deps, g);
    return undefined;
  }
  const next = changed(g, change);
  await deps.store.putRecord(
    { type: PROTECTION_GROUP_TYPE, id: g.name, data: next },
    { ifVersion: storeVersion },
  );
  // A new RPO is a new interval: the schedule follows the record.
  if (change.kind === 'edit') await syncSchedule(deps, next);
  return next;
}

/**
 * `pg add-vm|remove-vm|edit|delete`: validated against the group first (a change that does nothing or breaks
 * it is refused, nothing stored). On an approved production group it waits as the group's one pending change
 * until a second person approves; otherwise it is applied at once. A group not yet approved (or rejected)
 * never ran, so its creator may change or delete it directly.
 */
export async function requestChange(
  deps: GroupDeps,
  name: string,
  input: GroupChange,
  actor: Actor,
): Promise<ChangeOutcome> {
  const change = parseOrThrow(GroupChange, input, 'protection group change');
  const { value: g, storeVersion } = await requireGroup(deps, name);
  if (change.kind !== 'delete') changed(g, change);
  const detail = { change: describeChange(change) };
  // A VM of a production cluster makes the group production: adding it needs four eyes already.
  const production = g.production || (change.kind === 'add-vm' && change.production);
  if (production && g.approval === 'approved') {
    if (g.pendingChange)
      throw new ConflictError(
        `protection group ${name} already has a change waiting for approval (${describeChange(g.pendingChange.change)}): \`pg approve ${name}\` or \`pg reject ${name}\` first`,
      );
    const group: ProtectionGroup = {
      ...g,
      pendingChange: { change, requestedBy: actor, requestedAt: deps.clock.now().toISOString() },
    };
    await deps.store.putRecord(
      { type: PROTECTION_GROUP_TYPE, id: name, data: group },
      { ifVersion: storeVersion },
    );
    await audit(deps, actor, 'change-requested', name, detail);
    return { status: 'pending', group };
  }
  const group = await apply(deps, g, storeVersion, change);
  await audit(deps, actor, change.kind === 'delete' ? 'delete' : 'change', name, detail);
  return { status: 'applied', group };
}

/** What an approval or rejection did, for the reply. */
export interface DecisionOutcome {
  subject: 'group' | 'change';
  change?: GroupChange;
  /** The group after the decision; `undefined` once an approved delete removed it. */
  group: ProtectionGroup | undefined;
}

/** `pg approve|reject`: four-eyes on a pending production group or its pending change (group-approval.ts). */
export async function decideGroupRequest(
  deps: GroupDeps,
  name: string,
  by: Actor,
  decision: 'approve' | 'reject',
  reason?: string,
): Promise<DecisionOutcome> {
  const { value: g, storeVersion } = await requireGroup(deps, name);
  const d = decideGroup(g, by, decision, deps.clock.now(), reason);
  const verb = decision === 'approve' ? 'approve' : 'reject';
  if (d.subject === 'group') {
    await deps.store.putRecord(
      { type: PROTECTION_GROUP_TYPE, id: name, data: d.group },
      { ifVersion: storeVersion },
    );
    await syncSchedule(deps, d.group);
    await audit(deps, by, verb, name, reason ? { reason } : undefined);
    return { subject: 'group', group: d.group };
  }
  const detail = {
    change: describeChange(d.change),
    requestedBy: d.requestedBy.id,
    ...(reason ? { reason } : {}),
  };
  let group: ProtectionGroup | undefined = d.group;
  if (decision === 'approve') group = await apply(deps, d.group, storeVersion, d.change);
  else
    await deps.store.putRecord(
      { type: PROTECTION_GROUP_TYPE, id: name, data: d.group },
      { ifVersion: storeVersion },
    );
  await audit(deps, by, `change-${verb === 'approve' ? 'approved' : 'rejected'}`, name, detail);
  return { subject: 'change', change: d.change, group };
}
