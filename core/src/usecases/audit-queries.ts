import { findCluster } from '../inventory/queries';
import type { AuditEvent } from '../jobs/job.schema';
import type { AuditStore } from '../ports/audit-store.port';
import type { JobStore } from '../ports/job-store.port';
import type { RecordReader } from '../ports/record-store.port';

/** A place in the newest-first list: an event's time and id (the id orders events of one instant). */
export interface AuditKey {
  at: string;
  id: string;
}

/** Who did what, newest first: one job, one person, the jobs of one cluster, or everything, within a time range. */
export interface AuditQuery {
  job?: string;
  /** An actor id (Teams/AAD) or a display name, matched without case. */
  person?: string;
  cluster?: string;
  /** Oldest event shown. */
  since: Date;
  /**
   * Only events before this instant. A paged view keeps the instant of its first page, so events recorded while
   * someone pages (their own clicks among them) do not shift the pages.
   */
  until: Date;
  /**
   * The page next to one already shown: `older` starts after its oldest event, `newer` ends before its newest.
   * The key must name an event of this view; when it does not, the page says so (`unknownFrom`) and is empty.
   */
  from?: { key: AuditKey; toward: 'older' | 'newer' };
  limit: number;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Events older than the page's oldest one match too. */
  older: boolean;
  /** Events newer than the page's newest one match too. */
  newer: boolean;
  /** `from` named no event of this view: nothing was read past it. */
  unknownFrom?: true;
  /** What was searched, in words. */
  scope: string;
}

/** Jobs of a cluster whose audit trail is read (the most recent ones). */
const CLUSTER_JOBS = 100;
const PAGE = 500;

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Newest first; events of one instant by id, highest first (ids made in one process grow with time). */
export function newestFirst(a: AuditKey, b: AuditKey): number {
  return Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

async function* daysNewestFirst(
  store: AuditStore & JobStore & RecordReader,
  since: Date,
  until: Date,
): AsyncGenerator<AuditEvent[]> {
  for (
    let t = Date.parse(`${dayOf(until)}T00:00:00Z`);
    t >= Date.parse(`${dayOf(since)}T00:00:00Z`);
    t -= 86_400_000
  ) {
    const day = dayOf(new Date(t));
    const events: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listAuditByTime(day, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      events.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    yield events;
  }
}

/**
 * The events of the view on the `from` side of its key, the key's own event included (it proves the key names an
 * event of this view), newest first. `enough` is how many a page needs before older days can be left unread.
 */
async function collect(
  store: AuditStore & JobStore & RecordReader,
  q: AuditQuery,
  enough: number,
): Promise<{ found: AuditEvent[]; scope: string }> {
  const from = q.from;
  const inRange = (e: AuditEvent) => {
    const t = Date.parse(e.at);
    if (!(t >= q.since.getTime() && t < q.until.getTime())) return false;
    if (!from) return true;
    // Negative: `e` comes after the key in the newest-first list (it is older).
    const side = newestFirst(from.key, e);
    return from.toward === 'older' ? side <= 0 : side >= 0;
  };
  const found: AuditEvent[] = [];
  if (q.job) {
    found.push(...(await store.listAuditByJob(q.job)).filter(inRange));
    return { found, scope: `job ${q.job}` };
  }
  if (q.cluster) {
    const cluster = await findCluster(store, q.cluster);
    const jobs = await store.listJobsByTarget('cluster', cluster.id, { limit: CLUSTER_JOBS });
    for (const j of jobs.items) found.push(...(await store.listAuditByJob(j.id)).filter(inRange));
    return { found, scope: `cluster ${cluster.name}` };
  }
  const person = q.person?.toLowerCase();
  // By id through the actor index; a display name (or an id never seen) by reading the days in range.
  if (q.person) {
    let cursor: string | undefined;
    do {
      const page = await store.listAuditByActor(q.person, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      found.push(...page.items.filter(inRange));
      cursor = page.cursor;
    } while (cursor);
  }
  if (!found.length) {
    const matches = (e: AuditEvent) =>
      !person ||
      e.actor.id.toLowerCase() === person ||
      (e.actor.name ?? '').toLowerCase() === person ||
      (e.actor.ids ?? []).some((i) => i.toLowerCase() === person);
    // Older pages need no day newer than their key; newer pages no day older than it.
    const top = from?.toward === 'older' ? new Date(Date.parse(from.key.at) + 1) : q.until;
    const bottom = from?.toward === 'newer' ? new Date(Date.parse(from.key.at)) : q.since;
    for await (const day of daysNewestFirst(store, bottom, top)) {
      found.push(...day.filter((e) => inRange(e) && matches(e)));
      // Whole days are read and a newer day never needs an older one; a newer page needs every event to its key.
      if (from?.toward !== 'newer' && found.length > enough) break;
    }
  }
  return { found, scope: person ? `person ${q.person}` : 'everyone' };
}

export async function queryAudit(
  store: AuditStore & JobStore & RecordReader,
  q: AuditQuery,
): Promise<AuditPage> {
  // Older: the key's event, a page, and one more to know there are older ones.
  const { found, scope } = await collect(store, q, q.limit + (q.from ? 1 : 0));
  found.sort(newestFirst);
  if (!q.from) return { events: found.slice(0, q.limit), older: found.length > q.limit, newer: false, scope };
  const key = q.from.key;
  const at = found.findIndex((e) => e.id === key.id && newestFirst(e, key) === 0);
  if (at < 0) return { events: [], older: false, newer: false, unknownFrom: true, scope };
  const rest = found.filter((_, i) => i !== at);
  if (q.from.toward === 'older')
    return { events: rest.slice(0, q.limit), older: rest.length > q.limit, newer: true, scope };
  return {
    events: rest.slice(Math.max(0, rest.length - q.limit)),
    older: true,
    newer: rest.length > q.limit,
    scope,
  };
}
