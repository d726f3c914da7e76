import { hostsReportingTag } from '@rackops/core/inventory/queries';
import {
  type Cluster,
  type Host,
  INVENTORY_TYPES,
  type FirmwareComponent,
  type Server,
} from '@rackops/core/inventory/inventory.schema';
import { biosVersionOf } from '@rackops/core/inventory/bios-version';
import type { Job } from '@rackops/core/jobs/job.schema';
import type { Store } from '@rackops/core/ports/store.port';
import { agentStatus } from '@rackops/core/usecases/agent-status';
import { listJobs, listPendingApprovals } from '@rackops/core/usecases/job-queries';
import { UnknownTargetError } from '@rackops/core/usecases/errors';
import { isProductionCluster, requireCluster } from '@rackops/core/usecases/targets';
import { NotFoundError } from '@rackops/core/util/errors';
import type { ArgsOf } from '../grammar/commands';
import type { Turn } from '../runtime';
import { say } from './reply';

const jobLine = (j: Job, target: string): string =>
  `- \`${j.id}\` ${j.type} ${j.target.kind} **${target}** — ${j.status}${j.requiresApproval && !j.approvedBy && j.status === 'pending' ? ' (awaiting approval)' : ''} · ${j.createdBy.name ?? j.createdBy.id}`;

/**
 * Job lines naming each cluster as people know it (`lab-a`, not `vc-lab/domain-c1001`): its name in the
 * inventory now, else the name the job was created with, else the id.
 */
async function jobLines(store: Store, jobs: readonly Job[]): Promise<string[]> {
  const ids = [...new Set(jobs.filter((j) => j.target.kind === 'cluster').map((j) => j.target.id))];
  const names = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const rec = await store.getRecord<Cluster>(INVENTORY_TYPES.cluster, id);
      if (rec) names.set(id, rec.data.name);
    }),
  );
  return jobs.map((j) => {
    const asCreated = j.params.clusterName;
    const label =
      j.target.kind === 'cluster'
        ? (names.get(j.target.id) ?? (typeof asCreated === 'string' ? asCreated : j.target.id))
        : j.target.id;
    return jobLine(j, label);
  });
}

/** ", working on: host.apply-and-reboot idrac:LABB001, …" (at most three named). */
const busy = (inFlight: string[] | undefined): string =>
  inFlight?.length
    ? `, working on: ${inFlight.slice(0, 3).join(', ')}${inFlight.length > 3 ? ` and ${inFlight.length - 3} more` : ''}`
    : '';

export async function status(turn: Turn): Promise<string> {
  const { store, clock } = turn.rt;
  const [agents, active, approvals] = await Promise.all([
    agentStatus(store, clock),
    listJobs(store, { active: true, limit: 20 }),
    listPendingApprovals(store),
  ]);
  const agentLines = agents.length
    ? agents.map(
        (a) =>
          `- ${a.online ? '🟢' : '🔴'} agent **${a.agentId}** — last seen ${a.secondsAgo}s ago${a.version ? ` (v${a.version})` : ''}${busy(a.inFlight)}`,
      )
    : ['- 🔴 no relay agent has reported in'];
  // Agents of a pair share the commands queue: one going offline leaves its work to the other (after the
  // queue's visibility timeout), so say how many are left to take it.
  if (agents.length > 1) {
    const online = agents.filter((a) => a.online).length;
    agentLines.unshift(`- Relay agents: ${online} of ${agents.length} online, sharing the commands queue`);
  }
  await say(
    turn,
    [
      '**RackOps status**',
      ...agentLines,
      `- Active jobs: ${active.length}${active.length ? '' : ' (none)'}`,
      ...(await jobLines(store, active.slice(0, 10))),
      `- Waiting for approval: ${approvals.length}`,
    ].join('\n'),
  );
  return 'ok';
}

export async function hosts(turn: Turn, args: ArgsOf<'hosts'>): Promise<string> {
  const cluster = await requireCluster(turn.rt.store, args.cluster);
  const page = await turn.rt.store.listRecordsByParent<Host>(INVENTORY_TYPES.host, cluster.id, {
    limit: 200,
  });
  const lines = page.items
    .map((r) => r.data)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (h) =>
        `- **${h.name}** \`${h.id}\` — ${h.connectionState}, ${h.powerState}${h.inMaintenanceMode ? ', 🔧 maintenance mode' : ''}${h.esxiVersion ? `, ESXi ${h.esxiVersion}` : ''}`,
    );
  await say(
    turn,
    [
      `**${cluster.name}** (${isProductionCluster(cluster, turn.rt.config.productionClusters) ? 'production: changes need a second person' : 'non-production'}) — ${lines.length} hosts`,
      ...lines,
    ].join('\n'),
  );
  return 'ok';
}

export async function server(turn: Turn, args: ArgsOf<'server'>): Promise<string> {
  const { store } = turn.rt;
  const tag = args.tag.toUpperCase();
  const rec =
    (await store.getRecord<Server>(INVENTORY_TYPES.server, tag)) ??
    (await store.getRecord<Server>(INVENTORY_TYPES.server, args.tag));
  if (!rec) throw new UnknownTargetError('server', args.tag);
  const s = rec.data;
  const fw = await store.listRecordsByParent<FirmwareComponent>(INVENTORY_TYPES.firmware, rec.id, {
    limit: 200,
  });
  // From the list shown below, not from the server record: one source of truth for both.
  const bios = biosVersionOf(fw.items.map((f) => f.data));
  const hosts = await hostsReportingTag(store, s.serviceTag);
  await say(
    turn,
    [
      `**${s.serviceTag}** ${s.model} — power ${s.powerState ?? 'unknown'}, health ${s.health ?? 'unknown'}${bios ? `, BIOS ${bios}` : ''}`,
      ...(hosts.length > 1
        ? [
            `⚠️ ${hosts.length} ESXi hosts report this service tag (${hosts.map((h) => `${h.name} as ${h.id}`).join(', ')}): a replaced system board or an OEM build. RackOps keeps them apart; fix the tag in the BIOS to link each to its own server.`,
          ]
        : []),
      `Firmware (${fw.items.length} components):`,
      ...fw.items.slice(0, 40).map((f) => `- ${f.data.name}: ${f.data.version}`),
      ...(fw.items.length > 40 ? [`… and ${fw.items.length - 40} more`] : []),
    ].join('\n'),
  );
  return 'ok';
}

export async function compliance(turn: Turn, args: ArgsOf<'compliance'>): Promise<string> {
  const cluster = await requireCluster(turn.rt.store, args.cluster);
  if (!turn.rt.queries.compliance) {
    await say(turn, '`compliance` is not available yet.');
    return 'unavailable';
  }
  await say(turn, await turn.rt.queries.compliance(turn.rt.store, cluster.id));
  return 'ok';
}

export async function jobs(turn: Turn, args: ArgsOf<'jobs'>): Promise<string> {
  const list = await listJobs(turn.rt.store, { limit: 15, ...(args.status ? { status: args.status } : {}) });
  const title = `**Jobs**${args.status ? ` (${args.status})` : ''}`;
  await say(turn, list.length ? [title, ...(await jobLines(turn.rt.store, list))].join('\n') : 'No jobs.');
  return 'ok';
}

export async function job(turn: Turn, args: ArgsOf<'job'>): Promise<string> {
  const found = await turn.rt.store.getJob(args.id);
  if (!found) throw new NotFoundError('job', args.id);
  await turn.rt.jobCards.post(turn.sender, found.id);
  return 'ok';
}

export async function approvals(turn: Turn): Promise<string> {
  const list = await listPendingApprovals(turn.rt.store);
  const title = '**Waiting for approval** (`job ID` shows the card)';
  await say(
    turn,
    list.length
      ? [title, ...(await jobLines(turn.rt.store, list))].join('\n')
      : 'Nothing is waiting for approval.',
  );
  return 'ok';
}
