import type { RecordReader } from '../ports/record-store.port';
import { computeK } from '../planner/capacity';
import { requireCluster } from '../usecases/targets';
import { capacityInputs } from '../workflows/ops/inventory';
import { estimateFit, type FitEstimate } from './fit';

export interface ClusterFit {
  clusterId: string;
  hosts: number;
  k: number;
}

/**
 * The fit preview shown at creation and on the `windows` card: per cluster, the hosts the inventory holds now
 * and the planner's k; clusters of one window roll one after another, so their makespans add up. Which hosts
 * actually need firmware is read from the catalog at fire time (the seed's key principle), so every connected
 * host counts here: the preview errs on the long side.
 */
export async function previewFit(
  store: RecordReader,
  clusterIds: readonly string[],
  extraHosts: number,
  durationMinutes: number,
): Promise<{ clusters: ClusterFit[]; estimate: FitEstimate }> {
  const clusters: ClusterFit[] = [];
  let makespanS = 0;
  let waves = 0;
  let hosts = extraHosts;
  for (const ref of clusterIds) {
    const cluster = await requireCluster(store, ref);
    const cap = await capacityInputs(store, cluster);
    const k = Math.max(1, computeK(cap, cap.hosts.length).k);
    clusters.push({ clusterId: cluster.id, hosts: cap.hosts.length, k });
    const e = estimateFit({ hosts: cap.hosts.length, k, durationMinutes });
    makespanS += e.makespanS;
    waves += e.waves;
    hosts += cap.hosts.length;
  }
  // Single hosts outside a named cluster: one at a time.
  if (extraHosts > 0) {
    const e = estimateFit({ hosts: extraHosts, k: 1, durationMinutes });
    makespanS += e.makespanS;
    waves += e.waves;
  }
  const windowS = durationMinutes * 60;
  // Several clusters: the smallest k, as the card shows one number.
  const k = clusters.length ? Math.min(...clusters.map((c) => c.k)) : 1;
  return {
    clusters,
    estimate: {
      hosts,
      k,
      waves,
      makespanS,
      windowS,
      fits: makespanS <= windowS,
      spareS: windowS - makespanS,
      timingSource: 'default',
    },
  };
}
