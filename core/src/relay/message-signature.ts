import { canonicalJson, hmacSha256, macMatches } from '../util/hmac';
import { DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_MAX_LIFETIME_SECONDS } from './envelope';
import { activeKey, type KeyMaterial, keyFor } from './keyring';
import { RelayMessage } from './result.schema';
import { issuesOf } from '../util/zod-errors';

/** Why a message from the agent was not believed. */
export type MessageRefusal =
  | 'malformed'
  | 'unsigned'
  | 'unknown_key'
  | 'bad_signature'
  | 'stale'
  | 'from_future';

export type MessageVerifyOutcome =
  | { ok: true; message: RelayMessage; kid: string }
  | { ok: false; reason: MessageRefusal; detail: string; message?: RelayMessage };

const mac = (key: string, body: unknown): Buffer => hmacSha256(key, `relay-message\n${canonicalJson(body)}`);

/**
 * Signs a message the agent sends (result, progress, rejection, heartbeat) with its active key. The domain
 * prefix keeps a signed message from ever passing as a signed command (and back), should the keys be shared.
 */
export function signRelayMessage(message: RelayMessage, keys: KeyMaterial): RelayMessage {
  // Signed as parsed (defaults filled, unknown keys gone): the bytes the cloud will recompute.
  const { kid: _k, sig: _s, ...rest } = RelayMessage.parse(message);
  const { kid, key } = activeKey(keys);
  const body = { ...rest, kid };
  return { ...body, sig: mac(key, body).toString('hex') } as RelayMessage;
}

export interface MessageFreshness {
  /** How old `at` may be: a completed command's result is re-sent on redelivery, within its lifetime. @default 86400 + 300 */
  maxAgeSeconds?: number;
  /** @default 300 */
  clockSkewSeconds?: number;
}

/** Checks shape, key id, signature, and that `at` is neither too old nor in the future. */
export function verifyRelayMessage(
  raw: unknown,
  keys: KeyMaterial,
  now: Date,
  freshness: MessageFreshness = {},
): MessageVerifyOutcome {
  const parsed = RelayMessage.safeParse(raw);
  if (!parsed.success) {
    const detail = issuesOf(parsed.error).join('; ');
    return { ok: false, reason: 'malformed', detail: detail.slice(0, 1000) };
  }
  const message = parsed.data;
  const { sig, kid } = message;
  if (!sig || !kid)
    return { ok: false, reason: 'unsigned', detail: 'the message carries no signature', message };
  const key = keyFor(keys, kid);
  if (key === undefined)
    return { ok: false, reason: 'unknown_key', detail: `no key with id ${kid} is accepted here`, message };
  // Over what arrived, every field included: a field added on the way (even one the schema would drop) breaks
  // the signature. The agent signs its messages as parsed, so what it sends is exactly what it signed.
  const { sig: _sig, ...arrived } = raw as Record<string, unknown>;
  if (!macMatches(sig, mac(key, arrived)))
    return { ok: false, reason: 'bad_signature', detail: 'the signature does not match', message };
  const at = Date.parse(message.at);
  const skewMs = (freshness.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  const maxAgeMs =
    (freshness.maxAgeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS + DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  if (at > now.getTime() + skewMs)
    return { ok: false, reason: 'from_future', detail: `sent at ${message.at}, in the future`, message };
  if (at < now.getTime() - maxAgeMs)
    return { ok: false, reason: 'stale', detail: `sent at ${message.at}, older than allowed`, message };
  return { ok: true, message, kid };
}
