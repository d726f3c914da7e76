import { formatBytes } from '@rackops/core/workflows/command-result';
import type { Actor } from '@rackops/core/jobs/job.schema';
import { describeChange, isRunnable, rpoClockStart } from '@rackops/core/replication/group-approval';
import { isProductionGroup } from '@rackops/core/replication/group-inventory';
import { createGroup, setGroupState, splitApplianceDataset } from '@rackops/core/replication/group-usecases';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { ProtectionGroup } from '@rackops/core/replication/protection-group.schema';
import { type RpoLight, rpoStatus, syncEveryMinutes } from '@rackops/core/replication/rpo';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { formatDuration } from '@rackops/core/util/duration';
import { NotFoundError } from '@rackops/core/util/errors';
import type { ArgsOf } from '../grammar/commands';
import type { Turn } from '../runtime';
import { describeDr, drPlacementOf } from './dr-placement';
import { say } from './reply';

const LIGHT: Record<RpoLight, string> = {
  green: '🟢',
  amber: '🟡',
  red: '🔴',
  never: '⚪',
  paused: '⏸️',
};

export const who = (a: Actor | undefined): string => (a ? (a.name ?? a.id) : '—');

const pgs = (turn: Turn) => createProtectionGroupStore(turn.rt.store);
export const groupDeps = (turn: Turn) => ({
  store: turn.rt.store,
  scheduler: turn.rt.usecases.scheduler,
  clock: turn.rt.clock,
});

/** "🟢 **prod-vms** nas-a:tank/vm → nas-b:tank/vm-dr · replica 4 min old (RPO 15 min) · 1.2 MB · every 7 min" */
export function groupLine(g: ProtectionGroup, now: Date): string {
  const s = rpoStatus({
    rpoMinutes: g.rpoMinutes,
    now,
    createdAt: rpoClockStart(g),
    paused: !isRunnable(g),
    ...(g.lastReplica ? { lastSnapshotAt: g.lastReplica.snapshotAt } : {}),
  });
  const age =
    s.ageSeconds === undefined
      ? 'no replica yet'
      : `replica ${formatDuration(s.ageSeconds)} old${s.breached ? ' — **RPO breached**' : ''}`;
  const light = g.approval === 'approved' ? LIGHT[s.light] : g.approval === 'pending' ? '⏳' : '⛔';
  const parts = [
    `${light} **${g.name}** ${g.source.appliance}:${g.source.dataset} → ${g.target.appliance}:${g.target.dataset}`,
    `${age} (RPO ${formatDuration(g.rpoMinutes * 60)})`,
    ...(g.lastReplica
      ? [`${formatBytes(g.lastReplica.bytes)} ${g.lastReplica.incremental ? 'increment' : 'full'}`]
      : []),
    g.approval === 'pending'
      ? '**awaiting approval** (four-eyes: not its creator)'
      : g.approval === 'rejected'
        ? `**rejected** by ${who(g.decidedBy)}: never replicates`
        : g.state === 'paused'
          ? 'paused'
          : `runs every ${formatDuration(syncEveryMinutes(g.rpoMinutes) * 60)}`,
    ...(g.pendingChange ? [`change waiting for approval: ${describeChange(g.pendingChange.change)}`] : []),
  ];
  return parts.join(' · ');
}

export async function protectionGroups(turn: Turn): Promise<string> {
  const groups = await pgs(turn).list();
  if (groups.length === 0) {
    await say(
      turn,
      'No protection groups yet. Create one: `protect GROUP SOURCE TARGET [rpo MINUTES]` (see `help protect`).',
    );
    return 'empty';
  }
  const now = turn.rt.clock.now();
  await say(turn, ['**Protection groups**', ...groups.map((g) => `- ${groupLine(g, now)}`)].join('\n'));
  return 'ok';
}

/** Who asked, who decided, what waits: the four-eyes lines of `pg GROUP`. */
function approvalLines(g: ProtectionGroup): string[] {
  const decided = g.decidedBy ? ` by ${who(g.decidedBy)} at ${g.decidedAt}` : '';
  const lines = [
    `Created by ${who(g.createdBy)} · ${g.production ? 'production (four-eyes)' : 'non-production'} · ${
      g.approval === 'pending'
        ? `**awaiting approval**: a second person with the approver role runs \`pg approve ${g.name}\` (or \`pg reject ${g.name}\`)`
        : g.approval === 'rejected'
          ? `**rejected**${decided}${g.decisionReason ? ` (${g.decisionReason})` : ''}`
          : `approved${decided}`
    }`,
  ];
  const p = g.pendingChange;
  if (p)
    lines.push(
      `**Change waiting for approval**: ${describeChange(p.change)}, asked by ${who(p.requestedBy)} at ${p.requestedAt} — \`pg approve ${g.name}\` or \`pg reject ${g.name}\``,
    );
  return lines;
}

export async function pgShow(turn: Turn, args: ArgsOf<'pg'>): Promise<string> {
  const read = await pgs(turn).get(args.group);
  if (!read) throw new NotFoundError('protection group', args.group);
  const g = read.value;
  const replicas = (await pgs(turn).listReplicas(g.name)).slice(-5).reverse();
  const r = g.retention;
  await say(
    turn,
    [
      groupLine(g, turn.rt.clock.now()),
      ...approvalLines(g),
      `Members: ${g.members.kind === 'datastore' ? `every VM on datastore ${g.source.datastore}` : g.members.vms.join(', ')}`,
      `Source: vCenter ${g.source.vcenterId}, datastore ${g.source.datastore}; target: vCenter ${g.target.vcenterId}, datastore ${g.target.datastore}`,
      ...(g.dr ? [`DR placement: ${describeDr(g.dr)}`] : []),
      `Retention: ${r.frequent} frequent, ${r.hourly} hourly, ${r.daily} daily, ${r.weekly} weekly · transport ${g.transport} · ${g.vmConsistent ? 'VM-consistent (quiesced VMware snapshots)' : 'crash-consistent'}`,
      replicas.length ? '**Last replicas**' : 'No replica yet.',
      ...replicas.map(
        (x) =>
          `- ${x.snapshot}: ${x.incremental ? 'increment' : 'full'} ${formatBytes(x.bytes)} in ${x.seconds.toFixed(1)} s, done ${x.completedAt}${x.quiesceFailed?.length ? ` · crash-consistent for ${x.quiesceFailed.join(', ')} (quiesce failed)` : ''}`,
      ),
    ].join('\n'),
  );
  return 'ok';
}

export async function protect(turn: Turn, args: ArgsOf<'protect'>): Promise<string> {
  const source = splitApplianceDataset(args.source);
  const target = splitApplianceDataset(args.target);
  const lastPart = (dataset: string) => dataset.split('/').pop() ?? dataset;
  const site = { vcenterId: args.vcenter ?? 'none', datastore: args.datastore ?? lastPart(source.dataset) };
  const production = await isProductionGroup(turn.rt.store, site, [], turn.rt.config.productionClusters);
  const g = await createGroup(
    groupDeps(turn),
    {
      name: args.group,
      production,
      source: { ...source, ...site },
      target: {
        ...target,
        vcenterId: args['dr-vcenter'] ?? args.vcenter ?? 'none',
        datastore: args['dr-datastore'] ?? lastPart(target.dataset),
      },
      members: { kind: 'datastore' },
      rpoMinutes: args.rpo ?? 15,
      retention: args.keep ? { frequent: args.keep } : {},
      ...(args.transport !== undefined ? { transport: args.transport } : {}),
      ...(args.consistency !== undefined ? { vmConsistent: args.consistency === 'vm' } : {}),
      ...(drPlacementOf(args)
        ? { dr: { ...drPlacementOf(args), vcenterId: args['dr-vcenter'] ?? args.vcenter ?? 'none' } }
        : {}),
      conversationId: turn.sender.conversationId,
    },
    turn.actor,
  );
  const what = `${g.source.appliance}:${g.source.dataset} → ${g.target.appliance}:${g.target.dataset}, RPO ${formatDuration(g.rpoMinutes * 60)}, transport ${g.transport}, ${g.vmConsistent ? 'VM-consistent' : 'crash-consistent'}`;
  await say(
    turn,
    g.approval === 'pending'
      ? `🛡️ Protection group **${g.name}** created: ${what}. It is **production** (a production cluster mounts datastore ${g.source.datastore}, or the inventory does not know it), so it waits for four-eyes approval: a second person with the **approver** role runs \`pg approve ${g.name}\`. Nothing is scheduled or replicated before.`
      : `🛡️ Protection group **${g.name}** created: ${what}, replicating every ${formatDuration(syncEveryMinutes(g.rpoMinutes) * 60)} (first run at the first tick, or \`replicate ${g.name} now\`).`,
  );
  return g.approval === 'pending' ? 'pending_approval' : 'created';
}

export async function replicate(turn: Turn, args: ArgsOf<'replicate'>): Promise<string> {
  const { job, outcome } = await replicateGroup(turn.rt.usecases, {
    group: args.group,
    actor: turn.actor,
    conversationId: turn.sender.conversationId,
  });
  await turn.rt.jobCards.post(turn.sender, job.id, `Job ${job.id}: replication of ${args.group} ${outcome}.`);
  return outcome;
}

export async function pgSetState(turn: Turn, group: string, state: 'active' | 'paused'): Promise<string> {
  const { group: g, changed } = await setGroupState(groupDeps(turn), group, state, turn.actor);
  await say(
    turn,
    state === 'paused'
      ? `⏸️ ${group} ${changed ? 'paused' : 'was already paused'}: no scheduled runs until \`pg resume ${group}\`; its replicas and snapshots stay.`
      : `▶️ ${group} ${changed ? 'resumed' : 'was already active'}: ${isRunnable(g) ? 'scheduled again' : `not scheduled while it is ${g.approval === 'pending' ? 'awaiting approval' : 'rejected'}`}.`,
  );
  return changed ? state : 'unchanged';
}
