import {
  loadClusterPolicy,
  parsePolicyWords,
  policyText,
  setClusterPolicy,
} from '@rackops/core/usecases/cluster-policy';
import { requireCluster } from '@rackops/core/usecases/targets';
import { ValidationError } from '@rackops/core/util/errors';
import type { ArgsOf } from '../grammar/commands';
import { hasRole, refusal } from '../rbac';
import type { Turn } from '../runtime';
import { say } from './reply';

/** `cluster NAME show` (anyone) and `cluster NAME set POLICY=VALUE …` (admin): a cluster's rollout defaults. */
export async function clusterPolicy(turn: Turn, args: ArgsOf<'clusterPolicy'>): Promise<string> {
  const [verb, ...words] = args.action.split(/\s+/).filter(Boolean);
  const cluster = await requireCluster(turn.rt.store, args.name);
  if (verb?.toLowerCase() === 'show') {
    const p = await loadClusterPolicy(turn.rt.store, cluster.id);
    await say(turn, `Cluster **${cluster.name}** rollout defaults: ${policyText(p)}.`);
    return 'shown';
  }
  if (verb?.toLowerCase() !== 'set')
    throw new ValidationError(
      `\`cluster ${args.name}\` takes \`show\` or \`set POLICY=VALUE …\`, not \`${(verb ?? '').slice(0, 40)}\``,
    );
  if (!hasRole(turn.role, 'admin')) {
    await say(turn, refusal('admin', turn.role, "changing a cluster's rollout defaults"));
    return 'refused';
  }
  const next = await setClusterPolicy(
    turn.rt.store,
    cluster,
    parsePolicyWords(words),
    turn.actor,
    turn.rt.clock.now(),
  );
  await say(
    turn,
    `Cluster **${cluster.name}** rollout defaults are now: ${policyText(next)}. \`update cluster ${cluster.name}\` uses them for what it does not name.`,
  );
  return 'set';
}
