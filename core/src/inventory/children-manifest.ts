import { createHash } from 'node:crypto';
import type { RecordKey, RecordWrite } from '../ports/record-batch.port';

/**
 * A children manifest says, per (type, parent), which ids the last completed ingestion of that group left
 * alive under the parent — as a digest of the sorted ids, kept in the record's `hash`. When a group arrives
 * with the same id set, nothing under that parent can have vanished, so the by-parent query (one Store request
 * per group, half of a full sync's requests) is skipped. Children of a (type, parent) are only written by that
 * group's ingestion — or moved away by another group's, or marked gone with their parent, both of which make
 * the manifest DIRTY — which is what makes the digest sufficient.
 *
 * Crash safety: before a group whose id set changed is written, its manifest is set to DIRTY; only after the
 * items are written and the vanished ones marked gone is the new digest stored. A crash in between leaves
 * DIRTY, and the next ingestion queries by parent again.
 *
 * The manifest also carries a digest of the group's content (each valid item's id and content hash): a group
 * that arrives with the same ids and content as stored is unchanged as a whole, and none of its items' heads is
 * read — an hourly sync of an unchanged estate reads one manifest per group instead of one head per record.
 * The content part goes `dirty` before a changed item of an otherwise settled group is written (a crash then
 * means "read the heads"), and a cascade that marks a group's parent gone makes the group's manifest DIRTY
 * (ingest.ts `markGone`), as does a record moving from the group to another parent (ingest-batched.ts): its
 * children changed without the group being ingested.
 */
export const CHILDREN_MANIFEST_TYPE = 'inventory-children';
export const DIRTY_MANIFEST = 'dirty';

/**
 * Written once when the table is created (Store migrate): every group ingested in this table wrote its
 * manifest first, so a missing manifest means the group was never ingested and has no stored children. In a
 * table that predates manifests a missing manifest means "unknown" and the parent is queried.
 */
export const MANIFESTS_SINCE_CREATION: RecordKey = { type: 'inventory-meta', id: 'children-manifests' };

export const manifestKey = (type: string, parent: string): RecordKey => ({
  type: CHILDREN_MANIFEST_TYPE,
  id: `${type}|${parent}`,
});

/** The stored manifest: the id-set digest, then the content digest. */
export const manifestHash = (ids: string, content: string): string => `${ids}.${content}`;
/** The id-set part of a stored manifest (manifests written before the content part are the id digest alone). */
export const idsOfManifest = (hash: string | undefined): string | undefined => hash?.split('.')[0];

/** Digest of a group's valid items: ids and content hashes, in id order. */
export function contentDigest(items: readonly { id: string; hash: string }[]): string {
  const h = createHash('sha256');
  for (const i of [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    h.update(i.id).update('\u0000').update(i.hash).update('\u0000');
  return h.digest('hex');
}

export function childrenDigest(ids: Iterable<string>): string {
  const h = createHash('sha256');
  for (const id of [...ids].sort()) h.update(id).update('\u0000');
  return h.digest('hex');
}

export function manifestWrite(type: string, parent: string, digest: string, prevVersion = 0): RecordWrite {
  return {
    ...manifestKey(type, parent),
    data: {},
    hash: digest,
    version: prevVersion + 1,
  };
}
