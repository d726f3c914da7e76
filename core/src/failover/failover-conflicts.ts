import type { Job, JobType } from '../jobs/job.schema';
import { isTerminal } from '../jobs/job.schema';

/** What a failover touches: its group, its VMs (by name), the clusters and hosts at both sites. */
export interface FailoverScope {
  group: string;
  vms: readonly string[];
  clusterIds: readonly string[];
  hostIds: readonly string[];
}

/** Jobs that move, power or reboot VMs and hosts: a failover never runs beside one on the same objects. */
const ROLLOUT_TYPES: readonly JobType[] = ['rolling_cluster_update', 'firmware_update', 'power_operation'];
const DR_TYPES: readonly JobType[] = ['failover', 'failover_test'];

const vmsOf = (job: Job): string[] => {
  const vms = (job.params as { vms?: unknown }).vms;
  return Array.isArray(vms) ? vms.filter((v): v is string => typeof v === 'string') : [];
};

/**
 * Why a failover of `scope` must not start beside the active `jobs` (empty: it may). A rollout on one of the
 * clusters or hosts, another failover or test failover of the group or of any of its VMs: each named with its
 * job. Pure: the use case gathers the jobs and the scope.
 */
export function failoverConflicts(jobs: readonly Job[], scope: FailoverScope, selfId?: string): string[] {
  const clusters = new Set(scope.clusterIds);
  const hosts = new Set(scope.hostIds);
  const vms = new Set(scope.vms);
  const out: string[] = [];
  for (const j of jobs) {
    if (isTerminal(j.status) || j.id === selfId) continue;
    const what =
      j.type === 'failover_test' ? 'a test failover' : j.type === 'failover' ? 'a failover' : 'a rollout';
    if (DR_TYPES.includes(j.type)) {
      if (j.target.kind === 'protection_group' && j.target.id === scope.group) {
        out.push(`${what} of ${scope.group} is ${j.status} (job ${j.id})`);
        continue;
      }
      const shared = vmsOf(j).filter((v) => vms.has(v));
      if (shared.length > 0) out.push(`${what} of ${shared.join(', ')} is ${j.status} (job ${j.id})`);
      continue;
    }
    if (!ROLLOUT_TYPES.includes(j.type)) continue;
    if (j.target.kind === 'cluster' && clusters.has(j.target.id))
      out.push(`${what} on cluster ${j.target.id} is ${j.status} (job ${j.id})`);
    else if (j.target.kind === 'host' && hosts.has(j.target.id))
      out.push(`${what} on host ${j.target.id} is ${j.status} (job ${j.id})`);
  }
  return out;
}
