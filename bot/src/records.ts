import { createHash } from 'node:crypto';
import type { Store } from '@rackops/core/ports/store.port';
import type { ConversationReference } from 'botbuilder';
import { ConflictError } from '@rackops/core/util/errors';
import { z } from 'zod';

/** Store record types the bot owns. */
export const BOT_RECORDS = {
  conversation: 'conversation',
  /** cid -> where a card message lives. */
  card: 'card',
  /** jobId -> the card that shows the job (updated in place). */
  jobCard: 'job-card',
  /** cid of a confirmation card that was used (a confirmation works once). */
  usedCard: 'card-used',
} as const;

const RETENTION_SECONDS = 90 * 24 * 3600;

export const CardLocation = z.object({
  conversationId: z.string(),
  activityId: z.string(),
  jobId: z.string().optional(),
});
export type CardLocation = z.infer<typeof CardLocation>;

export const JobCardRecord = CardLocation.extend({
  cid: z.string(),
  page: z.number().int().nonnegative().default(0),
  /** The job was terminal when last rendered: no more updates needed. */
  final: z.boolean().default(false),
});
export type JobCardRecord = z.infer<typeof JobCardRecord>;

const expiry = (nowMs: number): number => Math.floor(nowMs / 1000) + RETENTION_SECONDS;

/**
 * What this process knows of conversation records, per Store: a second Store in the same process (a scenario
 * file's next stack, a restarted local stack) has none of it, and a conversation it lacks gets no proactive
 * message or card update. `saved`: written (id → hash). `pending`: being written — a turn answers before its
 * record is written (app.ts), and a proactive send or card update from this process meanwhile (a job the turn
 * started, notifying at once) waits for that write instead of finding no record.
 */
interface ConversationsKnown {
  saved: Map<string, string>;
  pending: Map<string, { hash: string; write: Promise<void> }>;
}
const conversationsKnown = new WeakMap<Store, ConversationsKnown>();

function knownOf(store: Store): ConversationsKnown {
  let known = conversationsKnown.get(store);
  if (!known) {
    known = { saved: new Map(), pending: new Map() };
    conversationsKnown.set(store, known);
  }
  return known;
}

/**
 * Remember where to send proactive messages for a conversation: written once per process, and again only when
 * the reference changes. A plain write, not one conditional on the stored hash: a failed condition costs DynamoDB
 * the same write unit, and dynalite twice the CPU, so fifty first messages at once held up the next turns.
 */
export function saveConversation(store: Store, ref: Partial<ConversationReference>): Promise<void> {
  const id = ref.conversation?.id;
  if (!id) return Promise.resolve();
  const hash = createHash('sha256').update(JSON.stringify(ref)).digest('hex');
  const { saved, pending } = knownOf(store);
  // Most turns come from a conversation already saved by this process: skip the round trip.
  if (saved.get(id) === hash) return Promise.resolve();
  // The conversation's next message may come before the first one's write is done: it is the same write.
  const under = pending.get(id);
  if (under?.hash === hash) return under.write;
  const write = store
    .putRecord({ type: BOT_RECORDS.conversation, id, data: ref, hash })
    .then(() => {
      if (saved.size > 10_000) saved.clear();
      saved.set(id, hash);
    })
    .finally(() => {
      if (pending.get(id)?.write === write) pending.delete(id);
    });
  pending.set(id, { hash, write });
  return write;
}

export async function loadConversation(
  store: Store,
  id: string,
): Promise<Partial<ConversationReference> | undefined> {
  // A failed write is the writer's to report; the read then finds what the Store has.
  await conversationsKnown
    .get(store)
    ?.pending.get(id)
    ?.write.catch(() => undefined);
  return (await store.getRecord<Partial<ConversationReference>>(BOT_RECORDS.conversation, id))?.data;
}

export async function saveCardLocation(
  store: Store,
  cid: string,
  loc: CardLocation,
  nowMs: number,
): Promise<void> {
  await store.putRecord({ type: BOT_RECORDS.card, id: cid, data: loc, expiresAt: expiry(nowMs) });
}

export async function loadCardLocation(store: Store, cid: string): Promise<CardLocation | undefined> {
  const rec = await store.getRecord<unknown>(BOT_RECORDS.card, cid);
  const parsed = CardLocation.safeParse(rec?.data);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The card location, read at most once per turn: the binding check and the in-place update of a card action both
 * need it. `reads` lives as long as the turn (a later turn reads again).
 */
export function loadCardLocationOnce(
  store: Store,
  cid: string,
  reads: Map<string, Promise<unknown>> | undefined,
): Promise<CardLocation | undefined> {
  if (!reads) return loadCardLocation(store, cid);
  const key = `${BOT_RECORDS.card}:${cid}`;
  let read = reads.get(key) as Promise<CardLocation | undefined> | undefined;
  if (!read) {
    const fresh = loadCardLocation(store, cid);
    // A miss is not kept: the card may be recorded a moment after it was shown (a click right after it arrived),
    // and the in-place update must then find it.
    read = fresh.then((loc) => {
      if (!loc) reads.delete(key);
      return loc;
    });
    reads.set(key, read);
  }
  return read;
}

export async function saveJobCard(
  store: Store,
  jobId: string,
  rec: JobCardRecord,
  nowMs: number,
): Promise<void> {
  await store.putRecord({ type: BOT_RECORDS.jobCard, id: jobId, data: rec, expiresAt: expiry(nowMs) });
}

export async function loadJobCard(store: Store, jobId: string): Promise<JobCardRecord | undefined> {
  const rec = await store.getRecord<unknown>(BOT_RECORDS.jobCard, jobId);
  const parsed = JobCardRecord.safeParse(rec?.data);
  return parsed.success ? parsed.data : undefined;
}

/** Mark a confirmation card used; false when it already was (double click, replay). */
export async function claimCard(store: Store, cid: string, nowMs: number): Promise<boolean> {
  try {
    const result = await store.putRecord(
      {
        type: BOT_RECORDS.usedCard,
        id: cid,
        data: { at: new Date(nowMs).toISOString() },
        expiresAt: expiry(nowMs),
      },
      { ifAbsent: true },
    );
    return result === 'written';
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
}
