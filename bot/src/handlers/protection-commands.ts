import { formatBytes } from '@rackops/core/workflows/command-result';
import { createGroup, setGroupState, splitApplianceDataset } from '@rackops/core/replication/group-usecases';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { ProtectionGroup } from '@rackops/core/replication/protection-group.schema';
import { type RpoLight, rpoStatus, syncEveryMinutes } from '@rackops/core/replication/rpo';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { formatDuration } from '@rackops/core/util/duration';
import { NotFoundError } from '@rackops/core/util/errors';
import type { ArgsOf } from '../grammar/commands';
import type { Turn } from '../runtime';
import { say } from './reply';

const LIGHT: Record<RpoLight, string> = {
  green: '🟢',
  amber: '🟡',
  red: '🔴',
  never: '⚪',
  paused: '⏸️',
};

const pgs = (turn: Turn) => createProtectionGroupStore(turn.rt.store);
const groupDeps = (turn: Turn) => ({
  store: turn.rt.store,
  scheduler: turn.rt.usecases.scheduler,
  clock: turn.rt.clock,
});

/** "🟢 **prod-vms** nas-a:tank/vm → nas-b:tank/vm-dr · replica 4 min old (RPO 15 min) · 1.2 MB · every 7 min" */
function groupLine(g: ProtectionGroup, now: Date): string {
  const s = rpoStatus({
    rpoMinutes: g.rpoMinutes,
    now,
    createdAt: g.createdAt,
    paused: g.state === 'paused',
    ...(g.lastReplica ? { lastSnapshotAt: g.lastReplica.snapshotAt } : {}),
  });
  const age =
    s.ageSeconds === undefined
      ? 'no replica yet'
      : `replica ${formatDuration(s.ageSeconds)} old${s.breached ? ' — **RPO breached**' : ''}`;
  const parts = [
    `${LIGHT[s.light]} **${g.name}** ${g.source.appliance}:${g.source.dataset} → ${g.target.appliance}:${g.target.dataset}`,
    `${age} (RPO ${formatDuration(g.rpoMinutes * 60)})`,
    ...(g.lastReplica
      ? [`${formatBytes(g.lastReplica.bytes)} ${g.lastReplica.incremental ? 'increment' : 'full'}`]
      : []),
    g.state === 'paused' ? 'paused' : `runs every ${formatDuration(syncEveryMinutes(g.rpoMinutes) * 60)}`,
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
      `Source: vCenter ${g.source.vcenterId}, datastore ${g.source.datastore}; target: vCenter ${g.target.vcenterId}, datastore ${g.target.datastore}`,
      `Retention: ${r.frequent} frequent, ${r.hourly} hourly, ${r.daily} daily, ${r.weekly} weekly · transport ${g.transport}`,
      replicas.length ? '**Last replicas**' : 'No replica yet.',
      ...replicas.map(
        (x) =>
          `- ${x.snapshot}: ${x.incremental ? 'increment' : 'full'} ${formatBytes(x.bytes)} in ${x.seconds.toFixed(1)} s, done ${x.completedAt}`,
      ),
    ].join('\n'),
  );
  return 'ok';
}

export async function protect(turn: Turn, args: ArgsOf<'protect'>): Promise<string> {
  const source = splitApplianceDataset(args.source);
  const target = splitApplianceDataset(args.target);
  const lastPart = (dataset: string) => dataset.split('/').pop() ?? dataset;
  const g = await createGroup(
    groupDeps(turn),
    {
      name: args.group,
      source: {
        ...source,
        vcenterId: args.vcenter ?? 'none',
        datastore: args.datastore ?? lastPart(source.dataset),
      },
      target: {
        ...target,
        vcenterId: args['dr-vcenter'] ?? args.vcenter ?? 'none',
        datastore: args['dr-datastore'] ?? lastPart(target.dataset),
      },
      members: { kind: 'datastore' },
      rpoMinutes: args.rpo ?? 15,
      retention: args.keep ? { frequent: args.keep } : {},
      conversationId: turn.sender.conversationId,
    },
    turn.actor,
  );
  await say(
    turn,
    `🛡️ Protection group **${g.name}** created: ${g.source.appliance}:${g.source.dataset} → ${g.target.appliance}:${g.target.dataset}, RPO ${formatDuration(g.rpoMinutes * 60)}, replicating every ${formatDuration(syncEveryMinutes(g.rpoMinutes) * 60)} (first run at the first tick, or \`replicate ${g.name} now\`).`,
  );
  return 'created';
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
  const { changed } = await setGroupState(groupDeps(turn), group, state, turn.actor);
  await say(
    turn,
    state === 'paused'
      ? `⏸️ ${group} ${changed ? 'paused' : 'was already paused'}: no scheduled runs until \`pg resume ${group}\`; its replicas and snapshots stay.`
      : `▶️ ${group} ${changed ? 'resumed' : 'was already active'}: scheduled again.`,
  );
  return changed ? state : 'unchanged';
}
