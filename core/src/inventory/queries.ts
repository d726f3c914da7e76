import type { z } from 'zod';
import { type CatalogMatcher, type HostCompliance, hostCompliance } from '../catalog/catalog-match';
import { type ClusterCompliance, summarizeClusterCompliance } from '../catalog/cluster-compliance';
import type { RecordReader, StoredRecord } from '../ports/record-store.port';
import { NotFoundError, RackOpsError } from '../util/errors';
import { normalizeSerial } from './ingest';
import { Cluster, FirmwareComponent, INVENTORY_TYPES } from './inventory.schema';
import { SERVER_SERIAL_TYPE } from './record-rules';
import { PageHost, PageServer } from './sync-page.schema';

/** A name matched more than one object (two vCenters may each have a cluster "prod"). */
export class AmbiguousReferenceError extends RackOpsError {
  constructor(
    what: string,
    ref: string,
    readonly candidates: string[],
  ) {
    super('ambiguous', `${what} "${ref}" is ambiguous: ${candidates.join(', ')}`);
  }
}

export type HostView = PageHost;
export type ServerView = PageServer;

/** All live records of a type under a parent, validated (a corrupt record is skipped, not fatal). */
async function allByParent<S extends z.ZodType>(
  store: RecordReader,
  type: string,
  parent: string,
  schema: S,
) {
  const out: z.infer<S>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByParent(type, parent, { cursor, limit: 500 });
    for (const r of page.items) {
      const parsed = schema.safeParse(r.data);
      if (parsed.success) out.push(parsed.data);
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

const live = <T>(r: StoredRecord<T> | undefined): StoredRecord<T> | undefined =>
  r && !r.gone ? r : undefined;

/** A cluster by id (`vc-01/domain-c1001`) or by name, case-insensitive, across vCenters. */
export async function findCluster(store: RecordReader, ref: string): Promise<Cluster> {
  const byId = live(await store.getRecord(INVENTORY_TYPES.cluster, ref));
  if (byId) return Cluster.parse(byId.data);
  const wanted = ref.trim().toLowerCase();
  const matches: Cluster[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByType(INVENTORY_TYPES.cluster, { cursor, limit: 500 });
    for (const r of page.items) {
      const c = Cluster.safeParse(r.data);
      if (c.success && c.data.name.toLowerCase() === wanted) matches.push(c.data);
    }
    cursor = page.cursor;
  } while (cursor);
  if (matches.length === 0) throw new NotFoundError('cluster', ref);
  if (matches.length > 1)
    throw new AmbiguousReferenceError(
      'cluster',
      ref,
      matches.map((c) => c.id),
    );
  return matches[0] as Cluster;
}

/** Hosts of a cluster, by name. */
export async function hostsOfCluster(
  store: RecordReader,
  clusterRef: string,
): Promise<{ cluster: Cluster; hosts: HostView[] }> {
  const cluster = await findCluster(store, clusterRef);
  const hosts = await allByParent(store, INVENTORY_TYPES.host, cluster.id, PageHost);
  hosts.sort((a, b) => a.name.localeCompare(b.name));
  return { cluster, hosts };
}

export interface ServerDetail {
  server: ServerView;
  firmware: FirmwareComponent[];
  /** The ESXi host running on it, when vCenter inventory has one with this service tag. */
  host?: HostView;
}

/** A Dell server by service tag (or chassis serial), with its firmware and linked host. */
export async function serverByServiceTag(
  store: RecordReader,
  tagOrSerial: string,
): Promise<ServerDetail | undefined> {
  const key = normalizeSerial(tagOrSerial);
  let rec = live(await store.getRecord(INVENTORY_TYPES.server, key));
  if (!rec) {
    const alias = live(await store.getRecord<{ serviceTag: string }>(SERVER_SERIAL_TYPE, key));
    if (alias) rec = live(await store.getRecord(INVENTORY_TYPES.server, alias.data.serviceTag));
  }
  if (!rec) return undefined;
  const server = PageServer.parse(rec.data);
  const firmware = await allByParent(store, INVENTORY_TYPES.firmware, server.serviceTag, FirmwareComponent);
  firmware.sort((a, b) => a.name.localeCompare(b.name));
  const hostRec = live(await store.getRecord(INVENTORY_TYPES.host, server.serviceTag));
  const host = hostRec ? PageHost.safeParse(hostRec.data).data : undefined;
  return { server, firmware, ...(host ? { host } : {}) };
}

/**
 * The Dell server under an ESXi host: by service tag (the host id is the service tag when vCenter
 * reports one), else by the serial vCenter reports matched against servers' chassis serials.
 */
export async function serverForHost(
  store: RecordReader,
  host: Pick<HostView, 'id' | 'serviceTag' | 'serialNumber'>,
): Promise<{ server: ServerView; via: 'serviceTag' | 'serial' } | undefined> {
  for (const tag of [host.serviceTag, host.id]) {
    if (!tag) continue;
    const rec = live(await store.getRecord(INVENTORY_TYPES.server, normalizeSerial(tag)));
    if (rec) return { server: PageServer.parse(rec.data), via: 'serviceTag' };
  }
  if (host.serialNumber) {
    const serial = normalizeSerial(host.serialNumber);
    const direct = live(await store.getRecord(INVENTORY_TYPES.server, serial));
    if (direct) return { server: PageServer.parse(direct.data), via: 'serial' };
    const alias = live(await store.getRecord<{ serviceTag: string }>(SERVER_SERIAL_TYPE, serial));
    const rec = alias
      ? live(await store.getRecord(INVENTORY_TYPES.server, alias.data.serviceTag))
      : undefined;
    if (rec) return { server: PageServer.parse(rec.data), via: 'serial' };
  }
  return undefined;
}

/** Compliance of one host's Dell server against a catalog; undefined when no server is linked. */
export async function complianceOfHost(
  store: RecordReader,
  matcher: CatalogMatcher,
  host: Pick<HostView, 'id' | 'serviceTag' | 'serialNumber'>,
): Promise<HostCompliance | undefined> {
  const linked = await serverForHost(store, host);
  if (!linked) return undefined;
  const firmware = await allByParent(
    store,
    INVENTORY_TYPES.firmware,
    linked.server.serviceTag,
    FirmwareComponent,
  );
  return hostCompliance(matcher, linked.server, firmware);
}

export interface ClusterComplianceDetail extends ClusterCompliance {
  /** Per host, per component detail (for `compliance <cluster> <host>` or the preflight). */
  detail: Record<string, HostCompliance | undefined>;
}

/** Compliance of every host of a cluster, and the cluster summary (rows sorted: most updates first). */
export async function complianceOfCluster(
  store: RecordReader,
  matcher: CatalogMatcher,
  clusterRef: string,
): Promise<ClusterComplianceDetail> {
  const { cluster, hosts } = await hostsOfCluster(store, clusterRef);
  const detail: Record<string, HostCompliance | undefined> = {};
  const rows: { id: string; name: string; compliance?: HostCompliance }[] = [];
  for (const h of hosts) {
    const c = await complianceOfHost(store, matcher, h);
    detail[h.id] = c;
    rows.push({ id: h.id, name: h.name, ...(c ? { compliance: c } : {}) });
  }
  return { ...summarizeClusterCompliance(cluster, rows), detail };
}

/**
 * Hosts that report this service tag. Normally one, whose id is the tag; two or more when boards were replaced
 * or an OEM build repeats a tag — ingestion then keeps them apart as `<tag>~<BIOS UUID>`, so they are found by
 * reading the host list (only when the direct lookup misses, which is rare).
 */
export async function hostsReportingTag(store: RecordReader, tag: string): Promise<HostView[]> {
  const direct = live(await store.getRecord(INVENTORY_TYPES.host, tag));
  if (direct) return [PageHost.parse(direct.data)];
  const out: HostView[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRecordsByType(INVENTORY_TYPES.host, {
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const r of page.items) {
      if (!r.id.startsWith(`${tag}~`)) continue;
      const h = PageHost.safeParse(r.data);
      if (h.success) out.push(h.data);
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}
