import type { Actor } from '../jobs/job.schema';
import { samePerson } from '../jobs/same-person';
import { RackOpsError, ValidationError } from '../util/errors';
import type { GroupChange, ProtectionGroup } from './protection-group.schema';

export class GroupApprovalError extends RackOpsError {
  constructor(message: string) {
    super('group_approval', message);
  }
}

/** Scheduled and replicated: active, and approved by a second person when it is production. */
export const isRunnable = (g: ProtectionGroup): boolean => g.state === 'active' && g.approval === 'approved';

/** Where the RPO clock of a group without a replica starts: its approval, not its request, for production. */
export const rpoClockStart = (g: ProtectionGroup): string =>
  g.approval === 'approved' && g.decidedAt ? g.decidedAt : g.createdAt;

const vmsOf = (g: ProtectionGroup): string[] => (g.members.kind === 'vms' ? g.members.vms : []);

const DR_WORD: Record<string, string> = {
  cluster: 'cluster',
  resourcePool: 'pool',
  nfsServer: 'NFS',
  portGroup: 'network',
};

/** A change in words, for cards, replies and the audit log. */
export function describeChange(c: GroupChange): string {
  switch (c.kind) {
    case 'add-vm':
      return `add VM ${c.vmName}`;
    case 'remove-vm':
      return `remove VM ${c.vmName}`;
    case 'delete':
      return 'delete the group';
    case 'edit': {
      const r = c.retention ?? {};
      const parts = [
        ...(c.rpoMinutes !== undefined ? [`RPO ${c.rpoMinutes} min`] : []),
        ...(r.frequent !== undefined ? [`keep ${r.frequent} frequent`] : []),
        ...(r.hourly !== undefined ? [`${r.hourly} hourly`] : []),
        ...(r.daily !== undefined ? [`${r.daily} daily`] : []),
        ...(r.weekly !== undefined ? [`${r.weekly} weekly`] : []),
        ...(c.transport !== undefined ? [`transport ${c.transport}`] : []),
        ...(c.vmConsistent !== undefined ? [`consistency ${c.vmConsistent ? 'vm' : 'crash'}`] : []),
        ...Object.entries(c.dr ?? {})
          .filter(([k, v]) => v !== undefined && k !== 'vcenterId')
          .map(([k, v]) => `DR ${DR_WORD[k] ?? k} ${v}`),
      ];
      return `set ${parts.join(', ')}`;
    }
  }
}

/**
 * The group with `change` applied (`delete` leaves it as it is: the caller removes it). Refuses a change that
 * would do nothing or leave the group without VMs, so a request never waits for an approval it does not need.
 */
export function applyChange(g: ProtectionGroup, change: GroupChange): ProtectionGroup {
  switch (change.kind) {
    case 'delete':
      return g;
    case 'add-vm': {
      const vms = vmsOf(g);
      if (vms.includes(change.vm))
        throw new ValidationError(`VM ${change.vmName} is already in protection group ${g.name}`);
      // The first explicit VM narrows "every VM on the datastore" to the VMs named.
      return {
        ...g,
        production: g.production || change.production,
        members: { kind: 'vms', vms: [...vms, change.vm] },
      };
    }
    case 'remove-vm': {
      const vms = vmsOf(g);
      if (!vms.includes(change.vm))
        throw new ValidationError(
          g.members.kind === 'datastore'
            ? `protection group ${g.name} protects every VM on datastore ${g.source.datastore}, not a list: nothing to remove`
            : `VM ${change.vmName} is not in protection group ${g.name}`,
        );
      if (vms.length === 1)
        throw new ValidationError(
          `VM ${change.vmName} is the last VM of protection group ${g.name}: delete the group instead (\`pg delete ${g.name}\`)`,
        );
      return { ...g, members: { kind: 'vms', vms: vms.filter((v) => v !== change.vm) } };
    }
    case 'edit': {
      const next = {
        ...g,
        rpoMinutes: change.rpoMinutes ?? g.rpoMinutes,
        retention: { ...g.retention, ...change.retention },
        transport: change.transport ?? g.transport,
        vmConsistent: change.vmConsistent ?? g.vmConsistent,
        // Parts set for another site (before a committed failover swapped them) are not kept.
        ...(change.dr
          ? {
              dr: {
                ...(g.dr?.vcenterId === undefined || g.dr.vcenterId === g.target.vcenterId ? g.dr : {}),
                ...change.dr,
                vcenterId: g.target.vcenterId,
              },
            }
          : {}),
      };
      const same = (x: ProtectionGroup) =>
        JSON.stringify([x.rpoMinutes, x.retention, x.transport, x.vmConsistent, x.dr ?? {}]);
      if (same(next) === same(g))
        throw new ValidationError(
          `protection group ${g.name} already has ${describeChange(change).slice(4)}`,
        );
      return next;
    }
  }
}

/** Four-eyes: a person, not the one who asked (under any of their ids), and one RackOps can tell apart. */
export function checkSecondPerson(requester: Actor, by: Actor, what: string): void {
  if (by.kind !== 'user') throw new GroupApprovalError('only a person approves or rejects');
  const same = samePerson(requester, by);
  if (same === 'same')
    throw new GroupApprovalError(
      `you requested ${what}, so a different person with the **approver** role must approve it. Nothing was changed.`,
    );
  if (same === 'unknown')
    throw new GroupApprovalError(
      `RackOps cannot tell whether you requested ${what} (an id not tied to one person); four-eyes needs a known person. Nothing was changed.`,
    );
}

/** What an approval or rejection decides: the group itself (a new production group) or its pending change. */
export type GroupDecision =
  | { subject: 'group'; group: ProtectionGroup }
  | { subject: 'change'; change: GroupChange; requestedBy: Actor; group: ProtectionGroup };

/**
 * Approve or reject what waits on a production group: the group itself while it is `pending`, else its pending
 * change. The approver must be a second person (rejecting needs no second person: the requester may withdraw).
 * The returned group is what to store; a change to apply is returned beside it, not yet applied.
 */
export function decideGroup(
  g: ProtectionGroup,
  by: Actor,
  decision: 'approve' | 'reject',
  at: Date,
  reason?: string,
): GroupDecision {
  if (g.approval === 'pending') {
    if (decision === 'approve') checkSecondPerson(g.createdBy, by, `protection group ${g.name}`);
    else if (by.kind !== 'user') throw new GroupApprovalError('only a person approves or rejects');
    return {
      subject: 'group',
      group: {
        ...g,
        approval: decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: by,
        decidedAt: at.toISOString(),
        ...(reason ? { decisionReason: reason } : {}),
      },
    };
  }
  const pending = g.pendingChange;
  if (!pending)
    throw new GroupApprovalError(
      g.approval === 'rejected'
        ? `protection group ${g.name} was rejected; nothing waits for a decision`
        : `nothing of protection group ${g.name} waits for approval`,
    );
  const what = `the change "${describeChange(pending.change)}" of protection group ${g.name}`;
  if (decision === 'approve') checkSecondPerson(pending.requestedBy, by, what);
  else if (by.kind !== 'user') throw new GroupApprovalError('only a person approves or rejects');
  const { pendingChange: _done, ...rest } = g;
  return { subject: 'change', change: pending.change, requestedBy: pending.requestedBy, group: rest };
}
