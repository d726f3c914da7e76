import type { Criticality } from './catalog.schema';
import { type HostCompliance, maxCriticality } from './catalog-match';

export interface HostComplianceRow {
  hostId: string;
  hostName: string;
  status: HostCompliance['status'];
  updatesNeeded: number;
  highestCriticality?: Criticality;
  rebootRequired: boolean;
  reason?: string;
}

export interface ClusterCompliance {
  clusterId: string;
  clusterName: string;
  hosts: number;
  compliant: number;
  needingUpdate: number;
  unknown: number;
  /** Component updates needed across the cluster, by criticality. */
  updates: Record<Criticality, number>;
  highestCriticality?: Criticality;
  rows: HostComplianceRow[];
}

/**
 * Compliance summary of a cluster from its hosts' compliance. A host without a linked Dell server or
 * without firmware inventory counts as unknown — never as compliant.
 */
export function summarizeClusterCompliance(
  cluster: { id: string; name: string },
  hosts: readonly { id: string; name: string; compliance?: HostCompliance }[],
): ClusterCompliance {
  const summary: ClusterCompliance = {
    clusterId: cluster.id,
    clusterName: cluster.name,
    hosts: hosts.length,
    compliant: 0,
    needingUpdate: 0,
    unknown: 0,
    updates: { Urgent: 0, Recommended: 0, Optional: 0 },
    rows: [],
  };
  for (const h of hosts) {
    const c = h.compliance;
    const status = c?.status ?? 'unknown';
    if (status === 'compliant') summary.compliant++;
    else if (status === 'updates_available') summary.needingUpdate++;
    else summary.unknown++;
    for (const comp of c?.components ?? []) {
      if (comp.updateNeeded && comp.criticality) summary.updates[comp.criticality]++;
    }
    summary.highestCriticality = maxCriticality(summary.highestCriticality, c?.highestCriticality);
    summary.rows.push({
      hostId: h.id,
      hostName: h.name,
      status,
      updatesNeeded: c?.updatesNeeded ?? 0,
      highestCriticality: c?.highestCriticality,
      rebootRequired: c?.rebootRequired ?? false,
      reason: c ? c.reason : 'no Dell server linked to this host',
    });
  }
  summary.rows.sort((a, b) => b.updatesNeeded - a.updatesNeeded || a.hostName.localeCompare(b.hostName));
  return summary;
}
