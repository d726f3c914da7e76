import { createHmac, timingSafeEqual } from 'node:crypto';
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
]);
export type CardVerb = z.infer<typeof CardVerb>;

/**
 * What a card action carries: the verb, the signed payload `p`, its HMAC `sig`, and (merged in by the client)
 * the card's input values, whose ids all start with `in_` or match `h<i>_...`.
 */
export const CardEnvelope = z
  .object({
    verb: CardVerb,
    p: z.record(z.string(), z.unknown()),
    sig: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .loose();

/** Stable JSON: keys sorted at every level, so the signature does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function mac(secret: string, verb: string, payload: unknown): string {
  return createHmac('sha256', secret)
    .update(`${verb}\n${canonicalJson(payload)}`)
    .digest('hex');
}

export function signCardData(
  secret: string,
  verb: CardVerb,
  p: Record<string, unknown>,
): Record<string, unknown> {
  return { verb, p, sig: mac(secret, verb, p) };
}

export type VerifiedCardData =
  | { ok: true; verb: CardVerb; p: Record<string, unknown>; inputs: Record<string, unknown> }
  | { ok: false; reason: 'malformed' | 'tampered' };

/** Check shape and signature; inputs (everything but verb/p/sig) are returned unverified for per-verb zod checks. */
export function verifyCardData(secret: string, raw: unknown): VerifiedCardData {
  const parsed = CardEnvelope.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const { verb, p, sig, ...inputs } = parsed.data;
  const expected = Buffer.from(mac(secret, verb, p), 'hex');
  const given = Buffer.from(sig, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'tampered' };
  return { ok: true, verb, p, inputs };
}
