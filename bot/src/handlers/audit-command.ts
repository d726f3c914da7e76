import type { AuditPage, AuditQuery } from '@rackops/core/usecases/audit-queries';
import { queryAudit } from '@rackops/core/usecases/audit-queries';
import { newId } from '@rackops/core/util/ids';
import { ValidationError } from '@rackops/core/util/errors';
import {
  AUDIT_PAGE,
  AuditFilter,
  AuditPageP,
  auditCard,
  decodeAuditCursor,
  rangeWords,
} from '../cards/audit-card';
import { type Turn, cardKeyOf } from '../runtime';
import type { CardResult } from './card-actions';
import { postCard, say } from './reply';

const DEFAULT_SPAN_MS = 7 * 86_400_000;

/** `7d`, `12h`, `90m`, `2026-12-01`, or an ISO time, against `now`. */
export function parseAuditTime(raw: string, now: Date): Date {
  const span = /^(\d{1,4})([mhd])$/i.exec(raw);
  if (span) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2]!.toLowerCase() as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(span[1]) * unit);
  }
  const t = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Date.parse(raw);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(raw))
    throw new ValidationError(
      `"${raw}" is not a time: use a span back from now (\`12h\`, \`7d\`) or a date (\`2026-12-01\`).`,
    );
  return new Date(t);
}

const queryOf = (f: AuditFilter): AuditQuery => ({
  ...(f.job ? { job: f.job } : {}),
  ...(f.person ? { person: f.person } : {}),
  ...(f.cluster ? { cluster: f.cluster } : {}),
  since: new Date(f.since),
  until: new Date(f.until),
  limit: AUDIT_PAGE,
});

/**
 * `audit …`: a card with the newest 20 events of the range, and Older / Newer buttons (auditPage below). The
 * range ends now: the card pages through the events as they were when it was drawn.
 */
export async function audit(
  turn: Turn,
  scope: Pick<AuditQuery, 'job' | 'person' | 'cluster'>,
  args: { since?: string | undefined; before?: string | undefined },
): Promise<string> {
  const now = turn.rt.clock.now();
  const since = args.since ? parseAuditTime(args.since, now) : new Date(now.getTime() - DEFAULT_SPAN_MS);
  const until = args.before ? parseAuditTime(args.before, now) : now;
  if (since.getTime() >= until.getTime())
    throw new ValidationError(
      `\`since\` (${since.toISOString()}) must be before \`before\` (${until.toISOString()}): nothing lies between.`,
    );
  const filter = AuditFilter.parse({ ...scope, since: since.toISOString(), until: until.toISOString() });
  const page = await queryAudit(turn.rt.store, queryOf(filter));
  if (!page.events.length) {
    await say(turn, `No audit events for ${page.scope}, ${rangeWords(filter)}.`);
    return 'empty';
  }
  const cid = newId();
  await postCard(turn, cid, auditCard(cardKeyOf(turn), { cid, filter, page, k: 1 }), now.getTime());
  return 'ok';
}

const BAD_CURSOR =
  '⛔ This audit card’s page position is not valid (it was altered or garbled). Nothing was changed; type `audit …` again for a fresh card.';

/**
 * The card's Newer / Older buttons: called by handleCardAction once the data verified (signature, conversation,
 * card binding) and the role was checked. The payload is parsed again here, and the cursor decoded, checked to
 * lie in the filter's range and to name an event of this view before anything is read past it.
 */
export async function auditPage(turn: Turn, raw: Record<string, unknown>): Promise<CardResult> {
  const p = AuditPageP.safeParse(raw);
  const cursor = p.success ? decodeAuditCursor(p.data.c) : undefined;
  if (!p.success || !cursor) return { outcome: 'invalid_cursor', message: BAD_CURSOR };
  const { cid, f } = p.data;
  const at = Date.parse(cursor.at);
  if (at < Date.parse(f.since) || at >= Date.parse(f.until))
    return { outcome: 'invalid_cursor', message: BAD_CURSOR };
  const page: AuditPage = await queryAudit(turn.rt.store, {
    ...queryOf(f),
    from: { key: { at: cursor.at, id: cursor.id }, toward: cursor.toward },
  });
  if (page.unknownFrom) return { outcome: 'invalid_cursor', message: BAD_CURSOR };
  if (!page.events.length)
    return {
      outcome: 'empty',
      message: `No ${cursor.toward} audit events for ${page.scope}, ${rangeWords(f)}.`,
    };
  return {
    outcome: 'page',
    card: auditCard(cardKeyOf(turn), { cid, filter: f, page, k: cursor.k }),
    cid,
  };
}
