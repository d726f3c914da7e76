import { describeChange } from '@rackops/core/replication/group-approval';
import {
  type ChangeOutcome,
  decideGroupRequest,
  requestChange,
} from '@rackops/core/replication/group-changes';
import { isProductionVm, resolveVm } from '@rackops/core/replication/group-inventory';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { GroupChange } from '@rackops/core/replication/protection-group.schema';
import { NotFoundError } from '@rackops/core/util/errors';
import type { ArgsOf } from '../grammar/commands';
import type { Turn } from '../runtime';
import { groupDeps, who } from './protection-commands';
import { drPlacementOf } from './dr-placement';
import { say } from './reply';

async function requireGroup(turn: Turn, name: string) {
  const read = await createProtectionGroupStore(turn.rt.store).get(name);
  if (!read) throw new NotFoundError('protection group', name);
  return read.value;
}

/** Request the change and say what became of it: applied now, or waiting for a second person. */
async function change(turn: Turn, group: string, c: GroupChange): Promise<string> {
  const out: ChangeOutcome = await requestChange(groupDeps(turn), group, c, turn.actor);
  const what = describeChange(c);
  await say(
    turn,
    out.status === 'pending'
      ? `⏳ ${group} is **production**: "${what}" waits for four-eyes approval — a second person with the **approver** role runs \`pg approve ${group}\` (or \`pg reject ${group}\`). Nothing changed yet.`
      : c.kind === 'delete'
        ? `🗑️ Protection group **${group}** deleted: its schedule and records are gone; the snapshots on both appliances stay.`
        : `✅ ${group}: ${what} done.`,
  );
  return out.status === 'pending' ? 'pending_approval' : 'changed';
}

export async function pgAddVm(turn: Turn, args: ArgsOf<'pgAddVm'>): Promise<string> {
  const g = await requireGroup(turn, args.group);
  const vm = await resolveVm(turn.rt.store, g.source.vcenterId, args.vm);
  const production = await isProductionVm(turn.rt.store, vm, turn.rt.config.productionClusters);
  return change(turn, args.group, { kind: 'add-vm', vm: vm.moref, vmName: vm.name, production });
}

export async function pgRemoveVm(turn: Turn, args: ArgsOf<'pgRemoveVm'>): Promise<string> {
  const g = await requireGroup(turn, args.group);
  // A VM gone from the inventory can still be removed by the id the group holds.
  const members = g.members.kind === 'vms' ? g.members.vms : [];
  const vm = members.includes(args.vm)
    ? { moref: args.vm, name: args.vm }
    : await resolveVm(turn.rt.store, g.source.vcenterId, args.vm);
  return change(turn, args.group, { kind: 'remove-vm', vm: vm.moref, vmName: vm.name });
}

export async function pgEdit(turn: Turn, args: ArgsOf<'pgEdit'>): Promise<string> {
  const retention = {
    ...(args.keep !== undefined ? { frequent: args.keep } : {}),
    ...(args.hourly !== undefined ? { hourly: args.hourly } : {}),
    ...(args.daily !== undefined ? { daily: args.daily } : {}),
    ...(args.weekly !== undefined ? { weekly: args.weekly } : {}),
  };
  return change(turn, args.group, {
    kind: 'edit',
    ...(args.rpo !== undefined ? { rpoMinutes: args.rpo } : {}),
    ...(Object.keys(retention).length ? { retention } : {}),
    ...(args.transport !== undefined ? { transport: args.transport } : {}),
    ...(args.consistency !== undefined ? { vmConsistent: args.consistency === 'vm' } : {}),
    ...(drPlacementOf(args) ? { dr: drPlacementOf(args) } : {}),
  });
}

export async function pgDelete(turn: Turn, args: ArgsOf<'pgDelete'>): Promise<string> {
  const g = await requireGroup(turn, args.group);
  if (!args.confirm) {
    await say(
      turn,
      `Deleting **${g.name}** stops its replication and removes its schedule and records (the snapshots on ${g.source.appliance} and ${g.target.appliance} stay)${g.production && g.approval === 'approved' ? '; as a production group, a second person must approve the deletion' : ''}. To go ahead: \`pg delete ${g.name} confirm\`.`,
    );
    return 'confirm_needed';
  }
  return change(turn, args.group, { kind: 'delete' });
}

export async function pgDecide(
  turn: Turn,
  group: string,
  decision: 'approve' | 'reject',
  reason?: string,
): Promise<string> {
  const d = await decideGroupRequest(groupDeps(turn), group, turn.actor, decision, reason);
  const by = who(turn.actor);
  let text: string;
  if (d.subject === 'group')
    text =
      decision === 'approve'
        ? `✅ Protection group **${group}** approved by ${by}: scheduled now${d.group?.state === 'paused' ? ' once resumed (it is paused)' : ''}.`
        : `⛔ Protection group **${group}** rejected by ${by}${reason ? ` (${reason})` : ''}: it never replicates; \`pg delete ${group} confirm\` removes it.`;
  else {
    const what = d.change ? describeChange(d.change) : 'the change';
    text =
      decision === 'approve'
        ? `✅ ${group}: "${what}" approved by ${by} and done.`
        : `⛔ ${group}: "${what}" rejected by ${by}${reason ? ` (${reason})` : ''}; nothing changed.`;
  }
  await say(turn, text);
  return decision === 'approve' ? 'approved' : 'rejected';
}
