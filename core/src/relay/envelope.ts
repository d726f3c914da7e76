import { canonicalJson, hmacSha256, macMatches } from '../util/hmac';
import { z } from 'zod';
import { IsoTime } from '../jobs/job.schema';
import { CommandKind } from './commands';
import { activeKey, type KeyMaterial, KeyId, keyFor } from './keyring';
import { issuesOf } from '../util/zod-errors';

export const PROTOCOL_VERSION = 1;

/** The device a command is about. FIFO MessageGroupId = `${type}:${id}` so one device is worked serially. */
export const CommandTarget = z.object({
  type: z.enum(['idrac', 'vcenter', 'ome', 'zfs']),
  id: z.string().min(1).max(200),
});
export type CommandTarget = z.infer<typeof CommandTarget>;
export const messageGroupId = (t: CommandTarget): string => `${t.type}:${t.id}`;

export const UnsignedEnvelope = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).max(128),
  kind: CommandKind,
  target: CommandTarget,
  params: z.record(z.string(), z.unknown()),
  taskToken: z.string().max(8192).optional(),
  jobId: z.string().optional(),
  issuedAt: IsoTime,
  expiresAt: IsoTime,
});
export type UnsignedEnvelope = z.infer<typeof UnsignedEnvelope>;

/** `kid` names the key that signed (signed with the rest, so it cannot be swapped). */
export const Envelope = UnsignedEnvelope.extend({ kid: KeyId, sig: z.string().regex(/^[0-9a-f]{64}$/) });
export type Envelope = z.infer<typeof Envelope>;

export { canonicalJson } from '../util/hmac';

export function signEnvelope(env: UnsignedEnvelope, keys: KeyMaterial): Envelope {
  const { kid, key } = activeKey(keys);
  const signed = { ...env, kid };
  const sig = hmacSha256(key, canonicalJson(signed)).toString('hex');
  return { ...signed, sig };
}

/** How far a sender's clock may run ahead, and how long a command may live. */
export interface EnvelopeLimits {
  /** @default 300 */
  clockSkewSeconds?: number;
  /** @default 86400 */
  maxLifetimeSeconds?: number;
}
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;
export const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;

export type EnvelopeRefusal =
  | 'malformed'
  | 'unsigned'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'issued_in_future'
  | 'bad_lifetime';

export type VerifyOutcome =
  | { ok: true; envelope: Envelope }
  | {
      ok: false;
      reason: EnvelopeRefusal;
      detail: string;
      id?: string;
      taskToken?: string;
      jobId?: string;
    };

/**
 * Checks shape, key id, signature, then time: issued no later than now + skew, issued before it expires, a
 * lifetime no longer than the maximum, not expired. Replay is checked by the agent's ledger, which remembers ids.
 */
export function verifyEnvelope(
  raw: unknown,
  keys: KeyMaterial,
  now: Date,
  limits: EnvelopeLimits = {},
): VerifyOutcome {
  const loose = (raw ?? {}) as Record<string, unknown>;
  const ids = {
    id: typeof loose.id === 'string' ? loose.id : undefined,
    taskToken: typeof loose.taskToken === 'string' ? loose.taskToken : undefined,
    jobId: typeof loose.jobId === 'string' ? loose.jobId : undefined,
  };
  const refuse = (reason: EnvelopeRefusal, detail: string): VerifyOutcome => ({
    ok: false,
    reason,
    detail,
    ...ids,
  });
  if (typeof raw === 'object' && raw !== null && !('sig' in raw)) {
    return refuse('unsigned', 'the command carries no signature');
  }
  const parsed = Envelope.safeParse(raw);
  if (!parsed.success) {
    const detail = issuesOf(parsed.error).join('; ');
    return refuse('malformed', detail);
  }
  const { sig, ...unsigned } = parsed.data;
  const key = keyFor(keys, unsigned.kid);
  if (key === undefined) return refuse('unknown_key', `no key with id ${unsigned.kid} is accepted here`);
  if (!macMatches(sig, hmacSha256(key, canonicalJson(unsigned)))) {
    return refuse('bad_signature', 'the signature does not match');
  }
  const time = checkLifetime(parsed.data.issuedAt, parsed.data.expiresAt, now, limits);
  if (time) return refuse(time.reason, time.detail);
  return { ok: true, envelope: parsed.data };
}

/** The time rules of a signed message; undefined when they hold. */
export function checkLifetime(
  issuedAt: string,
  expiresAt: string,
  now: Date,
  limits: EnvelopeLimits = {},
): { reason: 'expired' | 'issued_in_future' | 'bad_lifetime'; detail: string } | undefined {
  const skewMs = (limits.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  const maxMs = (limits.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS) * 1000;
  const issued = Date.parse(issuedAt);
  const expires = Date.parse(expiresAt);
  if (issued > now.getTime() + skewMs) {
    return {
      reason: 'issued_in_future',
      detail: `issued at ${issuedAt}, after now plus the allowed clock skew`,
    };
  }
  if (expires <= issued) {
    return {
      reason: 'bad_lifetime',
      detail: `expires at ${expiresAt}, not after it was issued (${issuedAt})`,
    };
  }
  if (expires - issued > maxMs) {
    return {
      reason: 'bad_lifetime',
      detail: `lives ${Math.round((expires - issued) / 1000)} s; the most allowed is ${maxMs / 1000} s`,
    };
  }
  if (expires <= now.getTime()) return { reason: 'expired', detail: `the command expired at ${expiresAt}` };
  return undefined;
}
