import { FailoverTestParams } from '@rackops/core/failover/failover-test.schema';
import { type Cluster, type Host, INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { resolveVm } from '@rackops/core/replication/group-inventory';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { ProtectionGroup } from '@rackops/core/replication/protection-group.schema';
import { listAllRecords } from '@rackops/core/store/list-all-records';
import { startTestFailover } from '@rackops/core/usecases/failover-test';
import { formatDuration } from '@rackops/core/util/duration';
import { NotFoundError, ValidationError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import type { ArgsOf } from '../grammar/commands';
import type { Turn } from '../runtime';
import { say } from './reply';

/**
 * Where at DR: what was typed, else the group's recorded placement (`pg edit GROUP dr-cluster … dr-pool … dr-nfs …`);
 * anything still missing is named, with both ways to give it.
 */
export function placement(
  g: ProtectionGroup,
  args: { cluster?: string | undefined; pool?: string | undefined; nfs?: string | undefined },
  command: string,
): { cluster: string; pool: string; nfs: string; net?: string } {
  // A placement recorded for the other site (the sites swapped at a committed failover) does not apply.
  const dr =
    g.dr && (g.dr.vcenterId === undefined || g.dr.vcenterId === g.target.vcenterId) ? g.dr : undefined;
  const at = {
    cluster: args.cluster ?? dr?.cluster,
    pool: args.pool ?? dr?.resourcePool,
    nfs: args.nfs ?? dr?.nfsServer,
  };
  const missing = (['cluster', 'pool', 'nfs'] as const).filter((k) => !at[k]);
  if (missing.length > 0)
    throw new ValidationError(
      `${command} needs ${missing.map((k) => `\`${k} …\``).join(', ')} (or record them once: \`pg edit ${g.name} ${missing.map((k) => `dr-${k} …`).join(' ')}\`; see \`help ${command}\`)`,
    );
  return {
    ...(at as { cluster: string; pool: string; nfs: string }),
    ...(dr?.portGroup ? { net: dr.portGroup } : {}),
  };
}

/** The DR cluster's hosts on the group's target vCenter, by the inventory (the clone is mounted on each). */
export async function drHosts(turn: Turn, vcenterId: string, cluster: string): Promise<string[]> {
  const clusters = (await listAllRecords(turn.rt.store, INVENTORY_TYPES.cluster))
    .filter((r) => !r.gone)
    .map((r) => r.data as Cluster)
    .filter((c) => c.vcenterId === vcenterId && (c.name === cluster || c.id === cluster));
  const c = clusters[0];
  if (!c)
    throw new ValidationError(`cluster ${cluster} is not in vCenter ${vcenterId} (run \`inventory sync\`?)`);
  const hosts = (await listAllRecords(turn.rt.store, INVENTORY_TYPES.host))
    .filter((r) => !r.gone)
    .map((r) => r.data as Host)
    .filter((h) => h.clusterId === c.id && h.connectionState === 'connected');
  if (hosts.length === 0) throw new ValidationError(`cluster ${cluster} has no connected host`);
  return hosts.map((h) => h.moref);
}

/**
 * `failover test GROUP …`: without `confirm` the plan only (VMs, DR target, the replica's age); with it one
 * `failover_test` job, its card posted (progress per VM, then the *Clean up* card while the test is up).
 */
export async function failoverTest(turn: Turn, args: ArgsOf<'failoverTest'>): Promise<string> {
  const g = (await createProtectionGroupStore(turn.rt.store).get(args.group))?.value;
  if (!g) throw new NotFoundError('protection group', args.group);
  if (!g.lastReplica)
    throw new ValidationError(`protection group ${g.name} has no replica yet: nothing to test`);
  const vms = args.vms
    ? args.vms
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : g.members.kind === 'vms'
      ? await Promise.all(
          g.members.vms.map(async (m) => (await resolveVm(turn.rt.store, g.source.vcenterId, m)).name),
        )
      : [];
  if (vms.length === 0)
    throw new ValidationError(
      `name the VMs to test (\`vms web-01,db-01\`): ${g.name} protects a whole datastore`,
    );
  const at = placement(g, args, 'failover test');
  const params = parseOrThrow(
    FailoverTestParams,
    {
      vms,
      resourcePoolMoref: at.pool,
      hostMorefs: await drHosts(turn, g.target.vcenterId, at.cluster),
      nfsServer: at.nfs,
      // The test network is never the group's production `dr-net`: only what is typed, else the default.
      ...(args.net ? { portGroup: args.net } : {}),
    },
    'test failover',
  );
  const age = formatDuration(Math.max(0, (Date.now() - Date.parse(g.lastReplica.snapshotAt)) / 1000));
  const plan =
    `🧪 Test failover of **${g.name}**: ${params.vms.length} VM(s) (${params.vms.join(', ')}) from the newest replica ` +
    `(${g.lastReplica.snapshot}, ${age} old) on ${g.target.appliance}:${g.target.dataset}, cloned and mounted at ` +
    `${g.target.vcenterId} on cluster ${at.cluster} (${params.hostMorefs.length} host(s)), networks on **${params.portGroup}**. ` +
    'Replication goes on; nothing at the source is touched.';
  if (!args.confirm) {
    await say(
      turn,
      `${plan}\nNothing has run. To start it: \`failover test ${g.name} … confirm\` (the same words, with \`confirm\`).`,
    );
    return 'planned';
  }
  const { job, outcome } = await startTestFailover(turn.rt.usecases, {
    group: g.name,
    actor: turn.actor,
    params,
    conversationId: turn.sender.conversationId,
  });
  await turn.rt.jobCards.post(turn.sender, job.id, `Job ${job.id}: test failover of ${g.name} ${outcome}.`);
  return outcome;
}
