import type { Actor } from '../jobs/job.schema';
import type { AuditStore } from '../ports/audit-store.port';
import type { RecordReader, RecordStore } from '../ports/record-store.port';
import { z } from 'zod';
import type { SyncSource } from './sync-page.schema';

/**
 * A sync that suddenly sees far fewer objects than the last good one is more likely a broken read (an expired
 * session, a permission change, a vCenter half restarted) than an estate that shrank: such a run writes what it
 * read but marks nothing gone until an operator confirms the new size in chat.
 *
 * The comparison uses the run's totals per record type, which the producer knows before its first page (it
 * reads everything, then streams), so every page of a run reaches the same verdict whatever order pages are
 * ingested in.
 */
export const DEFAULT_DROP_THRESHOLD_PCT = 20;

/** Record types of the run totals; sizes of one source's run by type (`host`: 120, `vm`: 2400…). */
export const RunTotals = z.record(z.string().min(1).max(64), z.number().int().nonnegative());
export type RunTotals = z.infer<typeof RunTotals>;

export const BASELINE_TYPE = 'inventory-baseline';
export const DROP_ACCEPT_TYPE = 'inventory-drop-accept';
const PARENT = 'inventory';

const Baseline = z.object({ totals: RunTotals, runId: z.string(), at: z.string() });
const Acceptance = z.object({ totals: RunTotals, by: z.string(), at: z.string() });

/** One record type whose count fell past the threshold. */
export const DropLine = z.object({
  type: z.string(),
  was: z.number().int().nonnegative(),
  now: z.number().int().nonnegative(),
});
export type DropLine = z.infer<typeof DropLine>;

/** How long an operator's confirmation lets a run of that size through. */
export const ACCEPT_VALID_MS = 24 * 3600_000;

export const sourceKey = (source: SyncSource, sourceId: string): string => `${source}:${sourceId}`;

/** The types whose count dropped by more than `thresholdPct` percent (pure). */
export function droppedTypes(was: RunTotals, now: RunTotals, thresholdPct: number): DropLine[] {
  const out: DropLine[] = [];
  for (const [type, before] of Object.entries(was)) {
    const after = now[type] ?? 0;
    if (before > 0 && ((before - after) / before) * 100 > thresholdPct)
      out.push({ type, was: before, now: after });
  }
  return out;
}

/** True when the run is at least as large, type by type, as the one the operator accepted (pure). */
export function coveredByAcceptance(accepted: RunTotals, now: RunTotals): boolean {
  return Object.entries(accepted).every(([type, n]) => (now[type] ?? 0) >= n);
}

export interface DropVerdict {
  /** Non-empty: hold every gone-mark of this run. */
  held: DropLine[];
  /** An operator confirmed a drop of this size: the run may mark gone. */
  accepted: boolean;
}

/** The verdict for a run with these totals against the source's last good run. */
export async function checkDrop(
  store: RecordReader,
  source: SyncSource,
  sourceId: string,
  totals: RunTotals,
  thresholdPct: number,
  now: Date,
): Promise<DropVerdict> {
  const stored = await store.getRecord(BASELINE_TYPE, sourceKey(source, sourceId));
  const base = Baseline.safeParse(stored?.data);
  if (!base.success) return { held: [], accepted: false };
  const held = droppedTypes(base.data.totals, totals, thresholdPct);
  if (!held.length) return { held, accepted: false };
  const acc = Acceptance.safeParse(
    (await store.getRecord(DROP_ACCEPT_TYPE, sourceKey(source, sourceId)))?.data,
  );
  const fresh = acc.success && now.getTime() - new Date(acc.data.at).getTime() < ACCEPT_VALID_MS;
  if (fresh && acc.success && coveredByAcceptance(acc.data.totals, totals))
    return { held: [], accepted: true };
  return { held, accepted: false };
}

/** After the last page of a run that was not held: its totals are the next run's yardstick. */
export async function recordBaseline(
  store: RecordStore,
  source: SyncSource,
  sourceId: string,
  totals: RunTotals,
  runId: string,
  now: Date,
): Promise<void> {
  await store.putRecord({
    type: BASELINE_TYPE,
    id: sourceKey(source, sourceId),
    parent: PARENT,
    data: { totals, runId, at: now.toISOString() },
  });
}

/**
 * An operator confirms that the source really shrank to `totals`: the next run at least that large marks what
 * it no longer sees gone (within ACCEPT_VALID_MS). Audited.
 */
export async function acceptDrop(
  store: RecordStore & AuditStore,
  input: { source: SyncSource; sourceId: string; totals: RunTotals; actor: Actor; jobId: string; now: Date },
): Promise<void> {
  const totals = RunTotals.parse(input.totals);
  await store.putRecord({
    type: DROP_ACCEPT_TYPE,
    id: sourceKey(input.source, input.sourceId),
    parent: PARENT,
    data: { totals, by: input.actor.name ?? input.actor.id, at: input.now.toISOString() },
  });
  await store.recordAudit({
    actor: input.actor,
    action: 'inventory.drop_accepted',
    jobId: input.jobId,
    detail: { source: input.source, sourceId: input.sourceId, totals },
  });
}

const NOUN: Record<string, string> = { vm: 'VMs', vcenter: 'vCenters', firmware: 'firmware components' };

/** "hosts 20 → 10, VMs 400 → 0" */
export const formatDrops = (drops: DropLine[]): string =>
  drops.map((d) => `${NOUN[d.type] ?? `${d.type}s`} ${d.was} → ${d.now}`).join(', ');
