import { z } from 'zod';
import type { RecordStore } from '../ports/record-store.port';
import { ConflictError } from '../util/errors';
import { NotificationKindSchema } from './events';
import { ChannelName } from './settings';

/** Store record types of the notification log. */
export const NOTIFY_RECORDS = { delivery: 'notification', deadLetter: 'notification-dead' } as const;

export const DeliveryStatus = z.enum(['sending', 'delivered', 'dead']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One delivery: an event to one recipient on one channel. Its id is the idempotency key. */
export const DeliveryRecord = z.object({
  eventKey: z.string().max(300),
  kind: NotificationKindSchema,
  /** `job:<id>`, `cluster:<id>`, `agent:<id>`. */
  subject: z.string().max(250),
  channel: ChannelName,
  /** A conversation id, a webhook's name (never its URL) or an e-mail address. */
  recipient: z.string().max(300),
  attempts: z.number().int().nonnegative(),
  status: DeliveryStatus,
  error: z.string().max(400).optional(),
  at: z.string(),
  deliveredAt: z.string().optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

const RETENTION_SECONDS = 90 * 24 * 3600;
/** A delivery still `sending` after this long belongs to a process that died: another may take it over. */
export const STALE_SENDING_MS = 10 * 60_000;

/** The log's parent: the job for job events, else the subject; `notify log <job>` lists by it. */
export const logParentOf = (subject: string): string => subject;

/**
 * Take the delivery `id`: true when this caller is the one to send (new, or a stale `sending` left by a dead
 * process); false for a duplicate.
 */
export async function claimDelivery(
  store: RecordStore,
  id: string,
  rec: DeliveryRecord,
  nowMs: number,
): Promise<boolean> {
  const base = {
    type: NOTIFY_RECORDS.delivery,
    id,
    parent: logParentOf(rec.subject),
    sortKey: rec.at,
    data: rec,
    expiresAt: Math.floor(nowMs / 1000) + RETENTION_SECONDS,
  };
  try {
    if ((await store.putRecord(base, { ifAbsent: true })) === 'written') return true;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
  const existing = await store.getRecord<unknown>(NOTIFY_RECORDS.delivery, id);
  const parsed = DeliveryRecord.safeParse(existing?.data);
  if (!existing || !parsed.success || parsed.data.status !== 'sending') return false;
  if (nowMs - Date.parse(parsed.data.at) < STALE_SENDING_MS) return false;
  try {
    await store.putRecord(base, { ifVersion: existing.version });
    return true;
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
}

export async function recordDelivery(
  store: RecordStore,
  id: string,
  rec: DeliveryRecord,
  nowMs: number,
): Promise<void> {
  await store.putRecord({
    type: NOTIFY_RECORDS.delivery,
    id,
    parent: logParentOf(rec.subject),
    sortKey: rec.at,
    data: DeliveryRecord.parse(rec),
    expiresAt: Math.floor(nowMs / 1000) + RETENTION_SECONDS,
  });
}

/** A delivery that kept failing: kept (with the event) until someone looks, and counted by an alarm in AWS. */
export async function recordDeadLetter(
  store: RecordStore,
  id: string,
  rec: DeliveryRecord,
  event: unknown,
  nowMs: number,
): Promise<void> {
  await store.putRecord({
    type: NOTIFY_RECORDS.deadLetter,
    id,
    sortKey: rec.at,
    data: { ...rec, event },
    expiresAt: Math.floor(nowMs / 1000) + RETENTION_SECONDS,
  });
}

/** Deliveries of one subject (a job: `job:<id>`) or of everything, newest first (at most `limit`). */
export async function listDeliveries(
  store: RecordStore,
  opts: { subject?: string; limit?: number } = {},
): Promise<DeliveryRecord[]> {
  const out: DeliveryRecord[] = [];
  let cursor: string | undefined;
  // Bounded: the log expires after 90 days; a look at the latest never reads more than a few pages.
  for (let pages = 0; pages < 10; pages++) {
    const req = { limit: 100, ...(cursor ? { cursor } : {}) };
    const page = opts.subject
      ? await store.listRecordsByParent<unknown>(NOTIFY_RECORDS.delivery, logParentOf(opts.subject), req)
      : await store.listRecordsByType<unknown>(NOTIFY_RECORDS.delivery, req);
    for (const r of page.items) {
      const parsed = DeliveryRecord.safeParse(r.data);
      if (parsed.success) out.push(parsed.data);
    }
    cursor = page.cursor;
    if (!cursor) break;
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, opts.limit ?? 50);
}
