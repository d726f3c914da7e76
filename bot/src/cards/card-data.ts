import { createHash } from 'node:crypto';
import { canonicalJson, hmacSha256, macMatches } from '@rackops/core/util/hmac';
import { z } from 'zod';

/** Every verb a RackOps card can send. Action.Execute and its Action.Submit fallback carry the same verb and data. */
export const CardVerb = z.enum([
  'job.approve',
  'job.reject',
  'job.cancel',
  'job.refresh',
  'wizard.page',
  'wizard.submit',
  'confirm.run',
  'confirm.abort',
  'window.skip',
  'window.postpone',
  'window.create',
  'failover.cleanup',
  'audit.page',
  'failover.decide',
]);
export type CardVerb = z.infer<typeof CardVerb>;

/**
 * What signs a card's data: the bot's secret and the conversation the card is posted in. Data signed for one
 * conversation does not verify in another, so a card copied (or its JSON replayed) elsewhere acts on nothing.
 */
export interface CardKey {
  secret: string;
  conversationId: string;
}

/** Card data above this is refused before parsing: Teams cards stay under 28 KB, so honest submissions do too. */
export const MAX_CARD_DATA_CHARS = 28_000;
/** The signed payloads are flat records with small arrays; deeper nesting is an attack on the canonicaliser. */
const MAX_DEPTH = 8;

/**
 * What a card action carries: the verb, the signed payload `p`, the conversation tag `cv` (says which
 * conversation it was signed for, so a mismatch is reported as such), its HMAC `sig`, and (merged in by the
 * client) the card's input values, whose ids all start with `in_` or match `h<i>_...`.
 */
export const CardEnvelope = z
  .object({
    verb: CardVerb,
    p: z.record(z.string(), z.unknown()),
    cv: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    sig: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .loose();

export { canonicalJson };

/**
 * The conversation a card belongs to. Teams names a channel thread `19:…@thread.tacv2;messageid=<root>`, and a click
 * on a card posted at the channel's top level arrives with its own `;messageid=`: the channel is the conversation
 * (which message is checked separately, against the card registry).
 */
export const conversationOf = (conversationId: string): string =>
  conversationId.split(';messageid=')[0] ?? '';

/** A short, non-secret tag of the conversation (the id itself can be long and is not the card's business). */
export const conversationTag = (conversationId: string): string =>
  createHash('sha256').update(conversationOf(conversationId)).digest('hex').slice(0, 16);

const mac = (key: CardKey, verb: string, payload: unknown): Buffer =>
  hmacSha256(key.secret, `${verb}\n${conversationOf(key.conversationId)}\n${canonicalJson(payload)}`);

export function signCardData(
  key: CardKey,
  verb: CardVerb,
  p: Record<string, unknown>,
): Record<string, unknown> {
  return { verb, p, cv: conversationTag(key.conversationId), sig: mac(key, verb, p).toString('hex') };
}

export type CardDataFault = 'malformed' | 'oversize' | 'unbound' | 'conversation_mismatch' | 'tampered';

export type VerifiedCardData =
  | { ok: true; verb: CardVerb; p: Record<string, unknown>; inputs: Record<string, unknown> }
  | { ok: false; reason: CardDataFault };

function depth(value: unknown, limit: number): number {
  if (limit < 0 || !value || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const v of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, depth(v, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}

function size(raw: unknown): number {
  try {
    return JSON.stringify(raw)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Check size, shape, conversation and signature; inputs (everything but verb/p/cv/sig) are returned unverified
 * for per-verb zod checks. `unbound` is data without a conversation tag (a card drawn before cards were bound).
 */
export function verifyCardData(key: CardKey, raw: unknown): VerifiedCardData {
  if (size(raw) > MAX_CARD_DATA_CHARS) return { ok: false, reason: 'oversize' };
  const parsed = CardEnvelope.safeParse(raw);
  if (!parsed.success || depth(parsed.data.p, MAX_DEPTH) > MAX_DEPTH)
    return { ok: false, reason: 'malformed' };
  const { verb, p, cv, sig, ...inputs } = parsed.data;
  if (cv === undefined) return { ok: false, reason: 'unbound' };
  if (cv !== conversationTag(key.conversationId)) return { ok: false, reason: 'conversation_mismatch' };
  if (!macMatches(sig, mac(key, verb, p))) return { ok: false, reason: 'tampered' };
  return { ok: true, verb, p, inputs };
}
