import { describe, expect, it } from 'vitest';
import { checkLifetime } from '../src/relay/envelope';
import { keyFor, parseKeyringText, toKeyring } from '../src/relay/keyring';

const KEY = 'k'.repeat(40);

describe('relay keyring', () => {
  it('reads one plain key as kid "default", and JSON with several keys', () => {
    expect(parseKeyringText(`  ${KEY}\n`)).toEqual({ activeKid: 'default', keys: { default: KEY } });
    const ring = parseKeyringText(JSON.stringify({ activeKid: 'b', keys: { a: KEY, b: 'b'.repeat(40) } }));
    expect(ring.activeKid).toBe('b');
    expect(keyFor(ring, 'a')).toBe(KEY);
    expect(keyFor(ring, 'c')).toBeUndefined();
    expect(keyFor(ring, '__proto__')).toBeUndefined();
  });

  it('refuses an active kid it does not hold, short keys and bad JSON, without echoing a key', () => {
    expect(() => parseKeyringText(JSON.stringify({ activeKid: 'x', keys: { a: KEY } }))).toThrow(/activeKid/);
    const short = () => parseKeyringText(JSON.stringify({ activeKid: 'a', keys: { a: 'short-secret' } }));
    expect(short).toThrow(/at least 32/);
    expect(short).not.toThrow(/short-secret/);
    expect(() => parseKeyringText('{not json')).toThrow(/neither one key nor JSON/);
    expect(toKeyring(KEY)).toEqual({ activeKid: 'default', keys: { default: KEY } });
  });
});

describe('command lifetime rules', () => {
  const now = new Date('2026-12-05T12:00:00.000Z');
  const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
  it('accepts a normal command and a clock up to the skew ahead', () => {
    expect(checkLifetime(at(0), at(3600), now)).toBeUndefined();
    expect(checkLifetime(at(299), at(3600), now)).toBeUndefined();
  });
  it('refuses future issue times, inverted or overlong lifetimes, and expiry', () => {
    expect(checkLifetime(at(301), at(3600), now)?.reason).toBe('issued_in_future');
    expect(checkLifetime(at(10), at(5), now)?.reason).toBe('bad_lifetime');
    expect(checkLifetime(at(0), at(75 * 365 * 86_400), now)?.reason).toBe('bad_lifetime');
    expect(checkLifetime(at(0), at(86_401), now)?.reason).toBe('bad_lifetime');
    expect(checkLifetime(at(0), at(86_401), now, { maxLifetimeSeconds: 172_800 })).toBeUndefined();
    expect(checkLifetime(at(-120), at(-60), now)?.reason).toBe('expired');
  });
});
