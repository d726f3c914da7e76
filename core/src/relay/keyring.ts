import { z } from 'zod';
import { issuesOf } from '../util/zod-errors';

/** A key id: short, printable, safe in a log line and a JSON field. */
export const KeyId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1-64 of A-Z a-z 0-9 . _ -');

/**
 * The HMAC keys one side of the relay holds. `activeKid` signs; every key listed is accepted. During a
 * rotation both sides hold the old and the new key, so nothing in flight is refused (relay-agent/README,
 * "Key rotation").
 */
export const Keyring = z
  .object({
    activeKid: KeyId,
    keys: z.record(KeyId, z.string().min(32, 'a signing key is at least 32 characters')),
  })
  .refine((k) => Object.hasOwn(k.keys, k.activeKid), {
    message: 'activeKid must name one of the keys',
    path: ['activeKid'],
  });
export type Keyring = z.infer<typeof Keyring>;

/** The kid a lone key (a plain secret, `signingKey`) signs with: both sides agree on it without configuration. */
export const DEFAULT_KID = 'default';

/** A keyring, or a lone key (kid `default`): what signing and verification accept. */
export type KeyMaterial = string | Keyring;

export function toKeyring(material: KeyMaterial): Keyring {
  return typeof material === 'string'
    ? { activeKid: DEFAULT_KID, keys: { [DEFAULT_KID]: material } }
    : material;
}

export function activeKey(material: KeyMaterial): { kid: string; key: string } {
  const ring = toKeyring(material);
  const key = ring.keys[ring.activeKid];
  if (key === undefined) throw new Error(`the keyring has no key for its active kid ${ring.activeKid}`);
  return { kid: ring.activeKid, key };
}

/** The key for `kid`, if this side accepts it. */
export function keyFor(material: KeyMaterial, kid: string): string | undefined {
  const ring = toKeyring(material);
  return Object.hasOwn(ring.keys, kid) ? ring.keys[kid] : undefined;
}

/**
 * A keyring stored as text (Secrets Manager, a key file): either JSON `{"activeKid","keys":{kid:key}}` or one
 * plain key, which becomes kid `default`. Throws with the field at fault.
 */
export function parseKeyringText(text: string): Keyring {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return Keyring.parse(toKeyring(trimmed));
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    throw new Error('the keyring is neither one key nor JSON {"activeKid","keys"}');
  }
  const parsed = Keyring.safeParse(raw);
  if (!parsed.success) {
    // Never echo the input: it holds keys.
    const detail = issuesOf(parsed.error).join('; ');
    throw new Error(`invalid keyring: ${detail}`);
  }
  return parsed.data;
}
