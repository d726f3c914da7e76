import type { Cluster, Host } from '../inventory/inventory.schema';
import type { JobStore } from '../ports/job-store.port';
import type { RecordReader } from '../ports/record-store.port';
import { UnknownTargetError } from './errors';
import { findCluster, findHost, requireCluster } from './targets';

/** What `health` is about: the fleet, one cluster's hosts, or one host. */
export type HealthScope =
  | { kind: 'fleet' }
  | { kind: 'cluster'; cluster: Cluster }
  | { kind: 'host'; host: Host };

/** The scope a `health` command names: a cluster, a host, or either (a cluster wins: `health cluster`/`host` decide). */
export async function healthScope(
  store: JobStore & RecordReader,
  ref?: { kind: 'cluster' | 'host' | 'either'; id: string },
): Promise<HealthScope> {
  if (!ref) return { kind: 'fleet' };
  if (ref.kind === 'cluster') return { kind: 'cluster', cluster: await requireCluster(store, ref.id) };
  const cluster = ref.kind === 'either' ? await findCluster(store, ref.id) : undefined;
  if (cluster) return { kind: 'cluster', cluster };
  const host = await findHost(store, ref.id);
  if (host) return { kind: 'host', host };
  throw new UnknownTargetError(
    ref.kind === 'host' ? 'host' : 'cluster or host',
    ref.id,
    'a cluster name, a host name or service tag; if it is new, run `inventory sync`',
  );
}
