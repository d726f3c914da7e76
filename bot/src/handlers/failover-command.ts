import { CardFactory } from 'botbuilder';
import { FailoverParams } from '@rackops/core/failover/failover.schema';
import { resolveVm } from '@rackops/core/replication/group-inventory';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { failoverConflicts } from '@rackops/core/failover/failover-conflicts';
import type { Job } from '@rackops/core/jobs/job.schema';
import { failoverScope, startFailover } from '@rackops/core/usecases/failover';
import { NotFoundError, ValidationError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { renderFailoverPlan } from '../cards/failover-card';
import type { ArgsOf } from '../grammar/commands';
import { hasRole, refusal } from '../rbac';
import type { Turn } from '../runtime';
import { drHosts, placement } from './failover-test-command';
import { say } from './reply';

const list = (s: string): string[] =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * `failover GROUP` (planned) and `failover GROUP unplanned "REASON"` (admin): without `confirm` the plan card
 * only (VMs, target, replica age, expected data loss); with it one `failover` job (four-eyes on a production
 * group, by the job's approval), its card posted: progress per VM, then Commit / Roll back.
 */
export async function failover(turn: Turn, args: ArgsOf<'failover'>): Promise<string> {
  const mode = args.unplanned !== undefined ? 'unplanned' : 'planned';
  // Checked before anything is read: an operator learns nothing of the plan of what they may not start.
  if (mode === 'unplanned' && !hasRole(turn.role, 'admin')) {
    await say(turn, refusal('admin', turn.role, 'an unplanned failover'));
    return 'refused';
  }
  const g = (await createProtectionGroupStore(turn.rt.store).get(args.group))?.value;
  if (!g) throw new NotFoundError('protection group', args.group);
  if (!g.lastReplica)
    throw new ValidationError(`protection group ${g.name} has no replica yet: nothing to fail over to`);
  const named = args.vms ? list(args.vms) : g.members.kind === 'vms' ? g.members.vms : [];
  if (named.length === 0)
    throw new ValidationError(
      `name the VMs to fail over (\`vms web-01,db-01\`): ${g.name} protects a whole datastore`,
    );
  // By the inventory of the source vCenter: each VM's name (its directory at DR) and moref (the guest shutdown).
  const sourceMorefs: Record<string, string> = {};
  const vms: string[] = [];
  for (const v of named) {
    const found = await resolveVm(turn.rt.store, g.source.vcenterId, v).catch((err: unknown) => {
      if (mode === 'planned') throw err;
      return undefined; // unplanned: the source may be gone from the inventory too; the name is the directory
    });
    vms.push(found?.name ?? v);
    if (found) sourceMorefs[found.name] = found.moref;
  }
  // A failback (the group was failed over from its target vCenter): the original VMs are still registered
  // there, off; they are used again, not registered twice (vSphere refuses a name twice).
  const targetMorefs: Record<string, string> = {};
  if (g.history.some((h) => h.from.vcenterId === g.target.vcenterId))
    for (const v of vms) {
      const found = await resolveVm(turn.rt.store, g.target.vcenterId, v).catch(() => undefined);
      if (found) targetMorefs[v] = found.moref;
    }
  const at = placement(g, args, 'failover');
  const hostMorefs = await drHosts(turn, g.target.vcenterId, at.cluster);
  const params = parseOrThrow(
    FailoverParams,
    {
      mode,
      ...(args.unplanned !== undefined ? { reason: args.unplanned } : {}),
      vms,
      sourceMorefs,
      targetMorefs,
      resourcePoolMoref: at.pool,
      hostMorefs,
      nfsServer: at.nfs,
      ...((args.net ?? at.net) ? { portGroup: args.net ?? at.net } : {}),
    },
    'failover',
  );
  if (!args.confirm) {
    const replicaAgeS = Math.max(
      0,
      Math.round((turn.rt.clock.now().getTime() - Date.parse(g.lastReplica.snapshotAt)) / 1000),
    );
    const plan = renderFailoverPlan({
      group: g.name,
      mode,
      ...(params.reason ? { reason: params.reason } : {}),
      vms: params.vms,
      from: `${g.source.appliance}:${g.source.dataset} (vCenter ${g.source.vcenterId})`,
      to: `${g.target.appliance}:${g.target.dataset} (vCenter ${g.target.vcenterId})`,
      cluster: at.cluster,
      hosts: hostMorefs.length,
      pool: at.pool,
      network: params.portGroup,
      snapshot: g.lastReplica.snapshot,
      replicaAgeS,
      production: g.production,
      conflicts: failoverConflicts(await activeJobs(turn), await failoverScope(turn.rt.usecases, g, params)),
      confirmCommand: confirmCommand(g.name, args),
    });
    await turn.sender.send({ type: 'message', attachments: [CardFactory.adaptiveCard(plan)] });
    return 'planned';
  }
  const { job, outcome } = await startFailover(turn.rt.usecases, {
    group: g.name,
    actor: turn.actor,
    params,
    admin: hasRole(turn.role, 'admin'),
    conversationId: turn.sender.conversationId,
  });
  await turn.rt.jobCards.post(
    turn.sender,
    job.id,
    `Job ${job.id}: ${mode} failover of ${g.name} ${outcome === 'awaiting_approval' ? 'waits for a second person (approver)' : outcome}.`,
  );
  return outcome;
}

/** Jobs not ended, for the plan to say now what `confirm` would be refused for (the use case checks again). */
async function activeJobs(turn: Turn): Promise<Job[]> {
  const out: Job[] = [];
  for (const status of ['pending', 'running', 'paused'] as const) {
    let cursor: string | undefined;
    do {
      const page = await turn.rt.store.listJobsByStatus(status, {
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
  }
  return out;
}

/** The command again, from its arguments, with `confirm`: what the plan card says to type. */
function confirmCommand(group: string, args: ArgsOf<'failover'>): string {
  const words = [`failover ${group}`];
  if (args.unplanned !== undefined) words.push(`unplanned "${args.unplanned.replaceAll('"', "'")}"`);
  for (const k of ['vms', 'cluster', 'pool', 'nfs', 'net'] as const)
    if (args[k]) words.push(`${k} ${args[k]}`);
  return `${words.join(' ')} confirm`;
}
