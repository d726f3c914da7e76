import { hasRecordBatch } from '../ports/record-batch.port';
import type { RecordStore } from '../ports/record-store.port';
import { ConflictError, PayloadTooLargeError } from '../util/errors';
import { DIRTY_MANIFEST, manifestKey } from './children-manifest';
import { contentHash } from './content-hash';
import {
  checkDrop,
  DEFAULT_DROP_THRESHOLD_PCT,
  type DropLine,
  formatDrops,
  type RunTotals,
  recordBaseline,
} from './drop-guard';
import { ingestGroupsBatched, type KnownGroup } from './ingest-batched';
import { CHILD_TYPES, looseId, RECORD_RULES, SERVER_SERIAL_TYPE } from './record-rules';
import {
  type InventoryGroup,
  InventoryPage,
  type InventoryType,
  isInventoryType,
  PageServer,
} from './sync-page.schema';
import { INVENTORY_TYPES } from './inventory.schema';

export type IngestWarningCode =
  | 'malformed_page'
  | 'unknown_type'
  | 'invalid_item'
  | 'duplicate_item'
  | 'parent_mismatch'
  | 'incomplete_group'
  | 'drop_held'
  | 'producer';

/** Bad data from a device: recorded on the sync job, never fatal. */
export interface IngestWarning {
  code: IngestWarningCode;
  message: string;
  type?: string;
  parent?: string;
  id?: string;
}

export interface IngestResult {
  runId?: string;
  seq?: number;
  last?: boolean;
  groups: number;
  /** Items seen in the page (valid or not). */
  items: number;
  /** Records written because their content changed or they are new (or came back). */
  written: number;
  unchanged: number;
  /** Records marked gone (vanished from their parent), cascades included. */
  gone: number;
  /** Groups whose vanished children were not computed: the producer could not read them in full. */
  incomplete: number;
  /** The run is much smaller than the last good one: nothing was marked gone (drop-guard.ts). */
  held: DropLine[];
  /** The run's totals as the producer announced them. */
  totals?: RunTotals;
  warnings: IngestWarning[];
}

export interface IngestOptions {
  /** Parallel Store writes within a group. @default 16 */
  concurrency?: number;
  /** Groups of one page ingested in parallel (each is independent: one parent's children). @default 4 */
  groupConcurrency?: number;
  /** A run whose count of some type falls by more than this percentage holds its gone-marks. @default 20 */
  dropThresholdPct?: number;
  /** @default the system clock */
  now?: () => Date;
}

const DEFAULT_CONCURRENCY = 16;
const DEFAULT_GROUP_CONCURRENCY = 4;

/**
 * Incremental ingestion of one inventory page. For each group (the complete children of one parent):
 * compare content hashes with the stored ones and write only what changed; mark stored children that
 * are missing from the group gone (and their own children with them). Memory holds one page and one
 * parent's key/hash map, so it stays flat however big the inventory is. Idempotent: ingesting the same
 * page again writes nothing.
 *
 * Never throws on bad device data: a malformed page, unknown types, invalid or duplicate items become
 * warnings. An invalid item leaves its stored record untouched (neither overwritten nor marked gone).
 * Store errors do throw (the caller's message is redelivered and the page ingested again).
 */
export async function ingestInventoryPage(
  store: RecordStore,
  rawPage: unknown,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const result: IngestResult = {
    groups: 0,
    items: 0,
    written: 0,
    unchanged: 0,
    gone: 0,
    incomplete: 0,
    held: [],
    warnings: [],
  };
  const parsed = InventoryPage.safeParse(rawPage);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    result.warnings.push({
      code: 'malformed_page',
      message: `inventory page rejected: ${issues.join('; ')}`,
    });
    return result;
  }
  const page = parsed.data;
  Object.assign(result, { runId: page.runId, seq: page.seq, last: page.last });
  for (const w of page.warnings) result.warnings.push({ code: 'producer', message: w });
  const now = opts.now ?? (() => new Date());
  const threshold = opts.dropThresholdPct ?? DEFAULT_DROP_THRESHOLD_PCT;
  if (page.totals) {
    result.totals = page.totals;
    result.held = (await checkDrop(store, page.source, page.sourceId, page.totals, threshold, now())).held;
    if (result.held.length)
      result.warnings.push({
        code: 'drop_held',
        message: `this sync sees far fewer objects than the last good one (${formatDrops(result.held)}, more than ${threshold} % less): nothing was marked gone until an operator confirms`,
      });
  }
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const known: KnownGroup[] = [];
  for (const raw of page.groups) {
    result.groups++;
    result.items += raw.items.length;
    const group = result.held.length ? { ...raw, complete: false } : raw;
    if (!raw.complete) {
      result.incomplete++;
      result.warnings.push({
        code: 'incomplete_group',
        type: raw.type,
        parent: raw.parent,
        message: `${raw.type}s under ${raw.parent} were not all readable: none of them was marked gone`,
      });
    }
    if (isInventoryType(group.type)) known.push({ type: group.type, group });
    else {
      result.warnings.push({
        code: 'unknown_type',
        type: group.type,
        parent: group.parent,
        message: `unknown inventory type "${group.type}" (${group.items.length} items skipped)`,
      });
    }
  }
  if (hasRecordBatch(store)) await ingestGroupsBatched(store, store, known, result, { concurrency });
  else
    await forEachLimit(known, Math.max(1, opts.groupConcurrency ?? DEFAULT_GROUP_CONCURRENCY), (g) =>
      ingestGroup(store, g.type, g.group, concurrency, result),
    );
  if (page.last && page.totals && !result.held.length)
    await recordBaseline(store, page.source, page.sourceId, page.totals, page.runId, now());
  return result;
}

export async function ingestGroup(
  store: RecordStore,
  type: InventoryType,
  group: InventoryGroup,
  concurrency: number,
  result: IngestResult,
): Promise<void> {
  const stored = await store.listRecordHashes(type, group.parent);
  const { seen, valid } = checkGroupItems(type, group, result);
  const toWrite = changedItems(valid, stored, result);
  const { parent } = group;

  await forEachLimit(toWrite, concurrency, async ({ id, data: received, hash }) => {
    const data = type === 'server' ? await mergeServer(store, id, received) : received;
    let outcome: 'written' | 'unchanged';
    try {
      outcome = await store.putRecord({ type, id, parent, data, hash }, { ifHashDiffers: true });
    } catch (err) {
      // An item the Store cannot hold is bad device data, not a reason to redeliver the page forever.
      if (!(err instanceof PayloadTooLargeError)) throw err;
      result.warnings.push({
        code: 'invalid_item',
        type,
        parent,
        id,
        message: `${err.message}: stored record kept`,
      });
      return;
    }
    if (outcome === 'written') result.written++;
    else result.unchanged++;
    if (type === 'server') await writeSerialAlias(store, data as PageServer);
  });

  if (!group.complete) return;
  const vanished = [...stored].filter(([id, s]) => !seen.has(id) && !s.gone).map(([id]) => id);
  for (const id of vanished) result.gone += await markGone(store, type, id, parent);
}

export interface ItemToWrite {
  id: string;
  data: Record<string, unknown>;
  hash: string;
}

/**
 * Validate a group's items: warnings for bad device data, the valid ones returned with their id and content
 * hash. `seen` holds every id present in the group (valid or not): those must not be marked gone.
 */
export function checkGroupItems(
  type: InventoryType,
  group: InventoryGroup,
  result: IngestResult,
): { seen: Set<string>; valid: ItemToWrite[] } {
  const rule = RECORD_RULES[type];
  const { parent } = group;
  /** Ids present in the group (valid or not): these must not be marked gone. */
  const seen = new Set<string>();
  const valid: ItemToWrite[] = [];

  for (const raw of group.items) {
    const item = rule.schema.safeParse(raw);
    if (!item.success) {
      const id = looseId(type, raw, parent);
      if (id) seen.add(id);
      const issues = item.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`);
      result.warnings.push({
        code: 'invalid_item',
        type,
        parent,
        id,
        message: `invalid ${type} ${id ?? '(no id)'} under ${parent}: ${issues.join('; ')}${id ? ' (stored record kept)' : ''}`,
      });
      continue;
    }
    const data = item.data;
    const id = rule.id(data, parent);
    if (seen.has(id)) {
      result.warnings.push({
        code: 'duplicate_item',
        type,
        parent,
        id,
        message: `duplicate ${type} ${id} under ${parent}: first occurrence kept`,
      });
      continue;
    }
    seen.add(id);
    const declared = rule.declaredParent?.(data);
    if (declared !== undefined && declared !== parent) {
      result.warnings.push({
        code: 'parent_mismatch',
        type,
        parent,
        id,
        message: `${type} ${id} says its parent is "${declared}" but was sent under "${parent}": skipped`,
      });
      continue;
    }
    valid.push({ id, data, hash: contentHash(parent, data) });
  }
  return { seen, valid };
}

/** The items whose content differs from what is stored (or that are new, or come back); the rest counted unchanged. */
export function changedItems(
  valid: ItemToWrite[],
  stored: { get(id: string): { hash?: string; gone?: boolean } | undefined },
  result: IngestResult,
): ItemToWrite[] {
  return valid.filter(({ id, hash }) => {
    const prev = stored.get(id);
    if (prev && prev.hash === hash && !prev.gone) {
      result.unchanged++;
      return false;
    }
    return true;
  });
}

/**
 * Mark a record gone, then everything stored under it. Re-reads the record and writes `gone` conditional
 * on the version it read: a listing by parent may come from an eventually consistent index, and a record
 * that moved to another parent (a VM vMotioned, a host moved to another cluster) — possibly written by a
 * page being ingested at the same moment — must not be marked gone because its old parent lost it.
 */
export async function markGone(
  store: RecordStore,
  type: InventoryType,
  id: string,
  parent: string,
): Promise<number> {
  const current = await store.getRecord(type, id);
  if (!current || current.gone || current.parent !== parent) return 0;
  try {
    await store.putRecord(
      {
        type,
        id,
        parent,
        data: current.data,
        gone: true,
        ...(current.hash !== undefined ? { hash: current.hash } : {}),
        ...(current.sortKey !== undefined ? { sortKey: current.sortKey } : {}),
      },
      { ifVersion: current.version },
    );
  } catch (err) {
    if (err instanceof ConflictError) return 0; // rewritten meanwhile: it is alive somewhere
    throw err;
  }
  let count = 1;
  for (const childType of CHILD_TYPES[type] ?? []) {
    // The children change without their group being ingested: its manifest must not vouch for them any more.
    if (hasRecordBatch(store))
      await store.putRecord({ ...manifestKey(childType, id), data: {}, hash: DIRTY_MANIFEST });
    let cursor: string | undefined;
    do {
      const page = await store.listRecordsByParent(childType, id, { cursor, limit: 200 });
      for (const child of page.items) count += await markGone(store, childType, child.id, id);
      cursor = page.cursor;
    } while (cursor);
  }
  return count;
}

/**
 * A Dell server is reported by OME and by its own iDRAC, each with a different subset of fields (OME may
 * lack the SystemID or the chassis serial). A field one source leaves out keeps the value the other gave,
 * so an OME sync does not erase what the iDRAC said (and compliance, which needs the SystemID, does not
 * turn unknown). The hash stays that of the item as received, so an unchanged source still writes nothing.
 */
async function mergeServer(
  store: RecordStore,
  id: string,
  received: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const stored = await store.getRecord<Record<string, unknown>>(INVENTORY_TYPES.server, id);
  if (!stored) return received;
  const kept = PageServer.safeParse({ ...stored.data, ...received });
  return kept.success ? kept.data : received;
}

/** Lets a host whose vCenter reports the chassis serial (not the service tag) find its Dell server. */
async function writeSerialAlias(store: RecordStore, server: PageServer): Promise<void> {
  if (!server.serialNumber || server.serialNumber === server.serviceTag) return;
  const data = { serviceTag: server.serviceTag };
  await store.putRecord(
    {
      type: SERVER_SERIAL_TYPE,
      id: normalizeSerial(server.serialNumber),
      parent: server.serviceTag,
      data,
      hash: contentHash(server.serviceTag, data),
    },
    { ifHashDiffers: true },
  );
}

export const normalizeSerial = (s: string): string => s.trim().toUpperCase();

export async function forEachLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
