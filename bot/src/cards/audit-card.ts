import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { AuditEvent } from '@rackops/core/jobs/job.schema';
import type { AuditKey, AuditPage } from '@rackops/core/usecases/audit-queries';
import { z } from 'zod';
import { type CardKey, signCardData } from './card-data';
import { type Element, action, card, heading, tableRow, text } from './elements';

/** Events on one page of the card (the card stays well under Teams' 28 KB with 20 rows). */
export const AUDIT_PAGE = 20;
/** Far past any real use (20 000 events); a cursor beyond it was not drawn by us. */
const MAX_PAGE = 1000;

const IsoTime = z.iso.datetime({ offset: true });

/**
 * What the card shows, signed into its buttons: one scope (or none: everyone), and the time range, whose end is
 * the instant the first page was read, so pages do not shift while someone pages.
 */
export const AuditFilter = z
  .strictObject({
    job: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[0-9A-Za-z-]+$/)
      .optional(),
    person: z.string().min(1).max(200).optional(),
    cluster: z.string().min(1).max(200).optional(),
    since: IsoTime,
    until: IsoTime,
  })
  .refine((f) => [f.job, f.person, f.cluster].filter((x) => x !== undefined).length <= 1, {
    message: 'one scope at most',
  })
  .refine((f) => Date.parse(f.since) < Date.parse(f.until), { message: 'since must be before until' });
export type AuditFilter = z.infer<typeof AuditFilter>;

/** Where the next page starts: the event next to it (its key), which way, and the page number it will be. */
const CursorFields = z.strictObject({
  k: z.number().int().min(1).max(MAX_PAGE),
  toward: z.enum(['older', 'newer']),
  at: IsoTime,
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[0-9A-Za-z_.:-]+$/),
});
export type AuditCursor = z.infer<typeof CursorFields>;

/** The button's cursor is opaque to the client: base64url JSON, checked field by field when it comes back. */
export const encodeAuditCursor = (c: AuditCursor): string =>
  Buffer.from(JSON.stringify(CursorFields.parse(c)), 'utf8').toString('base64url');

export function decodeAuditCursor(raw: string): AuditCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(raw)) return undefined;
  try {
    const parsed = CursorFields.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The data an Older/Newer button signs: the card's id, the filter, and the cursor (opaque until decoded). */
export const AuditPageP = z.strictObject({
  cid: z.string().min(1).max(64),
  f: AuditFilter,
  c: z.string().min(1).max(400),
});
export type AuditPageP = z.infer<typeof AuditPageP>;

const minute = (iso: string): string => new Date(iso).toISOString().slice(0, 16).replace('T', ' ');

/** The filter's time range in words: `2026-11-30 10:00 – 2026-12-07 10:00 UTC`. */
export const rangeWords = (f: AuditFilter): string => `${minute(f.since)} – ${minute(f.until)} UTC`;

/** Cells are cut to this many characters: 20 rows of the longest values still fit Teams' 28 KB. */
const CELL_CHARS = 60;
/**
 * A cell's text: cut, and never a markdown link. The text comes from people (a command as typed, a display
 * name): a link typed into a command must not become a link on an approver's audit card.
 */
const cut = (s: string): string =>
  (s.length > CELL_CHARS ? `${s.slice(0, CELL_CHARS - 1)}…` : s).replaceAll('](', '] (');

/** What an event did, beyond its action: the command typed, the card button, the job type. */
function whatDetail(e: AuditEvent): string | undefined {
  const d = e.detail ?? {};
  return [d.text, d.verb, d.type, d.kind].find((v): v is string => typeof v === 'string' && !!v);
}

function outcome(e: AuditEvent): string {
  if (typeof e.detail?.outcome === 'string') return e.detail.outcome;
  if (e.from && e.to) return `${e.from} → ${e.to}`;
  return e.to ?? '–';
}

/** Column weights: Time, Who, What, Job / target (a job id on one line where the card is wide), Outcome. */
const WIDTHS = [2, 3, 3, 7, 3] as const;

/**
 * A cell: its main line and, under it in grey, what qualifies it (the date under the time, the command typed under
 * `chat.command`, the target under the job id), tight against it so it reads as the same row.
 */
const cell = (width: number, main: string, under?: string): Element => ({
  type: 'Column',
  width,
  items: [
    { type: 'TextBlock', text: main, wrap: true, size: 'Small' },
    ...(under
      ? [{ type: 'TextBlock', text: under, wrap: true, size: 'Small', isSubtle: true, spacing: 'None' }]
      : []),
  ],
});

/** One event, a ColumnSet row (tableRow's cells hold one line; these hold two) with a rule above it. */
function eventRow(e: AuditEvent): Element {
  const [w0, w1, w2, w3, w4] = WIDTHS;
  const at = new Date(e.at).toISOString();
  const detail = whatDetail(e);
  const place = [e.jobId, e.target].flatMap((x) => (x ? [cut(x)] : []));
  return {
    type: 'ColumnSet',
    separator: true,
    spacing: 'Small',
    columns: [
      cell(w0, at.slice(11, 19), at.slice(0, 10)),
      cell(w1, cut(e.actor.name ?? e.actor.id)),
      cell(w2, cut(e.action), detail ? cut(detail) : undefined),
      cell(w3, place[0] ?? '–', place[1]),
      cell(w4, cut(outcome(e))),
    ],
  };
}

const bold = { weight: 'Bolder', size: 'Small', wrap: true };
const HEADER = tableRow(
  ['Time (UTC)', 'Who', 'What', 'Job / target', 'Outcome'].map((t, i) => ({
    text: t,
    width: WIDTHS[i] ?? 1,
    extra: bold,
  })),
  { separator: true },
);

/** Which page this is (1 = the newest events) and its events' place in the whole list. */
export interface AuditPlace {
  k: number;
  first: number;
  last: number;
}

export const pageWords = (p: AuditPlace): string => `page ${p.k} — events ${p.first}–${p.last}`;

/**
 * One page of `audit …`, newest first: a row per event (time, who, what, job or target, outcome), the filter
 * and the page in the header, and Newer / Older buttons that carry the filter and a cursor next to this page.
 */
export function auditCard(
  key: CardKey,
  opts: { cid: string; filter: AuditFilter; page: AuditPage; k: number },
): AdaptiveCard {
  const { cid, filter, page, k } = opts;
  const first = (k - 1) * AUDIT_PAGE + 1;
  const place = { k, first, last: first + page.events.length - 1 };
  const newest = page.events[0];
  const oldest = page.events.at(-1);
  const button = (title: string, toward: 'older' | 'newer', next: number, from: AuditKey) => {
    const p: AuditPageP = {
      cid,
      f: filter,
      c: encodeAuditCursor({ k: next, toward, at: from.at, id: from.id }),
    };
    return action(title, 'audit.page', signCardData(key, 'audit.page', p));
  };
  return card(
    [
      heading(`**Audit** — ${cut(page.scope)}`),
      text(`${rangeWords(filter)} · newest first · ${pageWords(place)}`, {
        isSubtle: true,
        spacing: 'None',
      }),
      HEADER,
      ...page.events.map(eventRow),
    ],
    [
      ...(page.newer && newest && k > 1 ? [button('Newer', 'newer', k - 1, newest)] : []),
      ...(page.older && oldest && k < MAX_PAGE ? [button('Older', 'older', k + 1, oldest)] : []),
    ],
  );
}
