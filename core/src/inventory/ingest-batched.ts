import { type RecordBatch, type RecordKey, type RecordWrite, recordKeyOf } from '../ports/record-batch.port';
import type { RecordStore } from '../ports/record-store.port';
import {
  CHILDREN_MANIFEST_TYPE,
  childrenDigest,
  contentDigest,
  DIRTY_MANIFEST,
  idsOfManifest,
  MANIFESTS_SINCE_CREATION,
  manifestHash,
  manifestKey,
  manifestWrite,
} from './children-manifest';
import {
  changedItems,
  checkGroupItems,
  forEachLimit,
  type IngestResult,
  ingestGroup,
  type ItemToWrite,
  markGone,
} from './ingest';
import type { InventoryGroup, InventoryType } from './sync-page.schema';

export interface KnownGroup {
  type: InventoryType;
  group: InventoryGroup;
}

export interface BatchedIngestOptions {
  /** Page groups (runs of groups of about CHUNK_KEYS heads) ingested at once. @default 2 */
  chunksInFlight?: number;
  /** Parallel per-record Store calls (server merges, by-parent queries, gone marks). @default 16 */
  concurrency?: number;
}

/** Heads read per page group: 4 BatchGetItem requests of 100 (after one of its groups' manifests), written back in batches of 25. */
const CHUNK_KEYS = 400;

/**
 * Batched ingestion of a page's groups (same outcome as `ingestGroup` per group, far fewer Store requests):
 * the groups are cut into page groups of about CHUNK_KEYS items; per page group one BatchGetItem reads each
 * group's children manifest, a second round the heads of the items of groups whose ids or content changed
 * (an unchanged group is not read item by item), changed records go out in
 * BatchWriteItem requests of 25, and only groups whose id set changed are listed by parent to find what
 * vanished (see children-manifest.ts). Memory holds one page and the heads of the page groups in flight.
 *
 * Servers keep the record-by-record path: each merges with what the other source (OME or iDRAC) stored.
 */
export async function ingestGroupsBatched(
  store: RecordStore,
  batch: RecordBatch,
  groups: KnownGroup[],
  result: IngestResult,
  opts: BatchedIngestOptions = {},
): Promise<void> {
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const perRecord = groups.filter((g) => g.type === 'server');
  const chunks: KnownGroup[][] = [];
  let chunk: KnownGroup[] = [];
  let keys = 0;
  for (const g of groups) {
    if (g.type === 'server') continue;
    if (chunk.length > 0 && keys + g.group.items.length + 1 > CHUNK_KEYS) {
      chunks.push(chunk);
      chunk = [];
      keys = 0;
    }
    chunk.push(g);
    keys += g.group.items.length + 1;
  }
  if (chunk.length > 0) chunks.push(chunk);
  await forEachLimit(chunks, Math.max(1, opts.chunksInFlight ?? 2), (c) =>
    ingestChunk(store, batch, c, result, concurrency),
  );
  await forEachLimit(perRecord, 4, (g) => ingestGroup(store, g.type, g.group, concurrency, result));
}

interface GroupPlan extends KnownGroup {
  seen: Set<string>;
  toWrite: ItemToWrite[];
  /** Digest of the id set, and the manifest this ingestion leaves (ids and content). */
  ids: string;
  full: string;
  /** The stored manifest's hash and version (version 0: none), kept current as this ingestion rewrites it. */
  stored?: string;
  version: number;
  /** The stored id set is this one: nothing under the parent can have vanished. */
  idsSettled: boolean;
  /** The id set changed and stored children may be missing from the group: list the parent. */
  listParent: boolean;
}

async function ingestChunk(
  store: RecordStore,
  batch: RecordBatch,
  chunk: KnownGroup[],
  result: IngestResult,
  concurrency: number,
): Promise<void> {
  const checked = chunk.map((g) => {
    const items = checkGroupItems(g.type, g.group, result);
    const ids = childrenDigest(items.seen);
    return { ...g, ...items, ids, full: manifestHash(ids, contentDigest(items.valid)) };
  });
  // Round 1, the manifests: a group stored with this very id set and content is unchanged as a whole.
  const manifests = await batch.getRecordHeads([
    MANIFESTS_SINCE_CREATION,
    ...checked.map((g) => manifestKey(g.type, g.group.parent)),
  ]);
  const tableHasManifests = manifests.has(
    recordKeyOf(MANIFESTS_SINCE_CREATION.type, MANIFESTS_SINCE_CREATION.id),
  );
  const manifestOf = (g: KnownGroup) =>
    manifests.get(recordKeyOf(CHILDREN_MANIFEST_TYPE, manifestKey(g.type, g.group.parent).id));
  const open = checked.filter((g) => {
    if (manifestOf(g)?.hash !== g.full) return true;
    result.unchanged += g.valid.length;
    return false;
  });
  if (open.length === 0) return;

  // Round 2, the heads of the other groups' items.
  const heads = await batch.getRecordHeads(
    open.flatMap((g) => g.valid.map((v) => ({ type: g.type, id: v.id }))),
  );
  const plans: GroupPlan[] = open.map((g) => {
    const manifest = manifestOf(g);
    const idsSettled = manifest !== undefined && idsOfManifest(manifest.hash) === g.ids;
    const toWrite = changedItems(g.valid, { get: (id) => heads.get(recordKeyOf(g.type, id)) }, result);
    return {
      type: g.type,
      group: g.group,
      seen: g.seen,
      toWrite,
      ids: g.ids,
      full: g.full,
      ...(manifest?.hash !== undefined ? { stored: manifest.hash } : {}),
      version: manifest?.version ?? 0,
      idsSettled,
      // An incomplete group cannot tell what vanished: no listing, and its manifest stays DIRTY (step 4).
      listParent: g.group.complete && !idsSettled && (manifest !== undefined || !tableHasManifests),
    };
  });
  const rewrite = (ps: GroupPlan[], hashOf: (p: GroupPlan) => string): RecordWrite[] =>
    ps.flatMap((p) => {
      const hash = hashOf(p);
      if (p.stored === hash) return [];
      p.stored = hash;
      p.version++;
      return [manifestWrite(p.type, p.group.parent, hash, p.version - 1)];
    });

  // 1. Before any child is written: a changed id set goes DIRTY (a crash then means "list the parent"), a
  // settled one about to have items rewritten gets a dirty content part (a crash then means "read the heads").
  // A record moving here from another parent (a VM vMotioned) leaves that parent's group without this
  // ingestion of it: its manifest goes DIRTY too, as it no longer vouches for its children.
  const movedFrom = new Map<string, RecordKey>();
  for (const p of plans)
    for (const { id } of p.toWrite) {
      const was = heads.get(recordKeyOf(p.type, id))?.parent;
      if (was !== undefined && was !== p.group.parent) {
        const k = manifestKey(p.type, was);
        movedFrom.set(recordKeyOf(k.type, k.id), k);
      }
    }
  await forEachLimit([...movedFrom.values()], concurrency, async (k) => {
    await store.putRecord({ ...k, data: {}, hash: DIRTY_MANIFEST });
  });
  await batch.writeRecords([
    ...rewrite(
      plans.filter((p) => !p.idsSettled),
      () => DIRTY_MANIFEST,
    ),
    ...rewrite(
      plans.filter((p) => p.idsSettled && p.toWrite.length > 0),
      (p) => manifestHash(p.ids, DIRTY_MANIFEST),
    ),
  ]);

  // 2. Changed records, 25 per request.
  const writes: RecordWrite[] = plans.flatMap((p) =>
    p.toWrite.map(({ id, data, hash }) => ({
      type: p.type,
      id,
      parent: p.group.parent,
      data,
      hash,
      version: (heads.get(recordKeyOf(p.type, id))?.version ?? 0) + 1,
    })),
  );
  const { refused } = await batch.writeRecords(writes);
  result.written += writes.length - refused.length;
  for (const r of refused) {
    const parent = writes.find((w) => w.type === r.type && w.id === r.id)?.parent;
    result.warnings.push({
      code: 'invalid_item',
      type: r.type,
      ...(parent !== undefined ? { parent } : {}),
      id: r.id,
      message: `${r.message}: stored record kept`,
    });
  }

  // 3. What vanished from groups whose id set changed (conditional, record by record, as in `markGone`).
  await forEachLimit(
    plans.filter((p) => p.listParent),
    concurrency,
    async (p) => {
      const stored = await store.listRecordHashes(p.type, p.group.parent);
      for (const [id, s] of stored) {
        if (!p.seen.has(id) && !s.gone) result.gone += await markGone(store, p.type, id, p.group.parent);
      }
    },
  );

  // 4. The complete groups' new ids and content: settled until their children change. A refused item is not
  // stored as the content digest says: its group keeps the dirty content part, and is read again next time.
  const refusedGroups = new Set(
    refused.map((r) => `${r.type}|${writes.find((w) => w.type === r.type && w.id === r.id)?.parent}`),
  );
  await batch.writeRecords(
    rewrite(
      plans.filter((p) => p.group.complete && !refusedGroups.has(`${p.type}|${p.group.parent}`)),
      (p) => p.full,
    ),
  );
}
