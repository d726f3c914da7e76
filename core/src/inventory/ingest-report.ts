import type { JobItemStore } from '../ports/job-item-store.port';
import type { JobStore } from '../ports/job-store.port';
import type { StepLogStore } from '../ports/step-log-store.port';
import { ConflictError, NotFoundError } from '../util/errors';
import { type DropLine, formatDrops, type RunTotals } from './drop-guard';
import type { IngestResult } from './ingest';

/** Warnings logged per page; the rest are counted (a broken device must not flood the console log). */
export const MAX_WARNING_LINES_PER_PAGE = 20;

/** What one page did, kept as one job item per page so concurrent pages never overwrite each other. */
export interface PageNote {
  seq: number;
  last: boolean;
  groups: number;
  items: number;
  written: number;
  unchanged: number;
  gone: number;
  warnings: number;
  /** Groups not read in full (no gone-marks from them). */
  incomplete?: number;
  /** The drop guard held this page's gone-marks: the types that fell, and the run's totals. */
  held?: DropLine[];
  totals?: RunTotals;
}

const PAGE_NOTE = 'inventory-page:';
/** Key prefix of the page notes one run (command) of a sync has recorded on its job. */
export const pageNotePrefix = (runId: string): string => `${PAGE_NOTE}${runId}:`;
const noteKey = (runId: string, seq: number): string =>
  `${pageNotePrefix(runId)}${String(seq).padStart(6, '0')}`;

/**
 * Record a page's outcome on its sync job: one console line per warning (capped), one note item per
 * page with its counts, and `details.inventory` (run totals so far) for the progress card. Pages
 * ingested concurrently may each see the other's note or not: the totals are a progress view; the
 * finish step sums the notes again.
 */
export async function recordIngestOutcome(
  store: JobStore & StepLogStore & JobItemStore,
  jobId: string,
  r: IngestResult,
): Promise<void> {
  const shown = r.warnings.slice(0, MAX_WARNING_LINES_PER_PAGE);
  for (const w of shown) await store.appendLog({ jobId, level: 'warn', message: w.message.slice(0, 4000) });
  if (r.warnings.length > shown.length) {
    await store.appendLog({
      jobId,
      level: 'warn',
      message: `${r.warnings.length - shown.length} more inventory warnings on page ${r.seq ?? '?'} not shown`,
    });
  }
  if (r.runId === undefined || r.seq === undefined) return; // malformed page: the warning says it all
  const note: PageNote = {
    seq: r.seq,
    last: r.last ?? false,
    groups: r.groups,
    items: r.items,
    written: r.written,
    unchanged: r.unchanged,
    gone: r.gone,
    warnings: r.warnings.length,
    ...(r.incomplete ? { incomplete: r.incomplete } : {}),
    ...(r.held.length ? { held: r.held } : {}),
    ...(r.totals ? { totals: r.totals } : {}),
  };
  await store.putJobItem(jobId, 'note', noteKey(r.runId, r.seq), note);
  await store.appendLog({
    jobId,
    level: 'info',
    message: `inventory page ${r.seq}${r.last ? ' (last)' : ''}: ${r.items} items, ${r.written} written, ${r.unchanged} unchanged, ${r.gone} gone, ${r.warnings.length} warnings`,
  });
  try {
    // Totals from the page notes (exact under redelivery: one note per page); for the progress card.
    const totals = await summarizeInventoryRun(store, jobId);
    await store.updateJob(jobId, { details: { inventory: totals, inventoryLastPage: r.seq } });
  } catch (err) {
    // The progress field is cosmetic: a vanished job or a lost race must not bounce the page back.
    if (!(err instanceof NotFoundError || err instanceof ConflictError)) throw err;
  }
}

export interface RunSummary {
  pages: number;
  items: number;
  written: number;
  unchanged: number;
  gone: number;
  warnings: number;
  sawLast: boolean;
  /** Groups not read in full. */
  incomplete: number;
  /** Set when the drop guard held the run: what fell, and the run's totals (what a confirmation accepts). */
  held?: { drops: DropLine[]; totals: RunTotals };
}

/** Totals of a sync job's pages (for the job summary when the run finishes). */
export async function summarizeInventoryRun(store: JobItemStore, jobId: string): Promise<RunSummary> {
  const notes = await store.listJobItems<PageNote>(jobId, 'note');
  const sum: RunSummary = {
    pages: 0,
    items: 0,
    written: 0,
    unchanged: 0,
    gone: 0,
    warnings: 0,
    sawLast: false,
    incomplete: 0,
  };
  for (const { key, data } of notes) {
    if (!key.startsWith(PAGE_NOTE)) continue;
    sum.pages++;
    sum.items += data.items;
    sum.written += data.written;
    sum.unchanged += data.unchanged;
    sum.gone += data.gone;
    sum.warnings += data.warnings;
    sum.sawLast ||= data.last;
    sum.incomplete += data.incomplete ?? 0;
    if (data.held?.length && data.totals && !sum.held) sum.held = { drops: data.held, totals: data.totals };
  }
  return sum;
}

export function formatRunSummary(s: RunSummary): string {
  const held = s.held
    ? `; nothing marked gone: ${formatDrops(s.held.drops)} since the last good sync (confirm to accept)`
    : '';
  return `inventory synced: ${s.pages} pages, ${s.items} items, ${s.written} written, ${s.unchanged} unchanged, ${s.gone} gone, ${s.warnings} warnings${held}`;
}
