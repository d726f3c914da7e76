import { findCluster } from '../inventory/queries';
import type { AuditEvent } from '../jobs/job.schema';
import type { AuditStore } from '../ports/audit-store.port';
import type { JobStore } from '../ports/job-store.port';
import type { RecordReader } from '../ports/record-store.port';

/** Who did what, newest first: one job, one person, the jobs of one cluster, or everything, within a time range. */
export interface AuditQuery {
  job?: string;
  /** An actor id (Teams/AAD) or a display name, matched without case. */
  person?: string;
  cluster?: string;
  /** Oldest event shown. */
  since: Date;
  /** Only events before this instant (the next page of an earlier answer). */
  before?: Date;
  limit: number;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Set when older events matched too: ask again with `before` = this (the oldest event shown). */
  olderBefore?: string;
  /** What was searched, in words. */
  scope: string;
}

/** Jobs of a cluster whose audit trail is read (the most recent ones). */
const CLUSTER_JOBS = 100;
const PAGE = 500;

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

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

export async function queryAudit(
  store: AuditStore & JobStore & RecordReader,
  q: AuditQuery,
  now: Date,
): Promise<AuditPage> {
  const until = q.before ?? now;
  const inRange = (e: AuditEvent) => {
    const t = Date.parse(e.at);
    return t >= q.since.getTime() && t < until.getTime();
  };
  let found: AuditEvent[] = [];
  let scope: string;
  if (q.job) {
    scope = `job ${q.job}`;
    found = (await store.listAuditByJob(q.job)).filter(inRange);
  } else if (q.cluster) {
    const cluster = await findCluster(store, q.cluster);
    scope = `cluster ${cluster.name}`;
    const jobs = await store.listJobsByTarget('cluster', cluster.id, { limit: CLUSTER_JOBS });
    for (const j of jobs.items) found.push(...(await store.listAuditByJob(j.id)).filter(inRange));
  } else {
    const person = q.person?.toLowerCase();
    scope = person ? `person ${q.person}` : 'everyone';
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
      for await (const day of daysNewestFirst(store, q.since, until)) {
        found.push(...day.filter((e) => inRange(e) && matches(e)));
        if (found.length > q.limit) break; // whole days are read; a newer day never needs an older one
      }
    }
  }
  found.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
  const events = found.slice(0, q.limit);
  const oldest = events.at(-1);
  return {
    events,
    scope,
    ...(found.length > q.limit && oldest ? { olderBefore: oldest.at } : {}),
  };
}
