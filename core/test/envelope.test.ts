import { describe, expect, it } from 'vitest';
import { canonicalJson, signEnvelope, type UnsignedEnvelope, verifyEnvelope } from '../src/relay/envelope';

const KEY = 'test-signing-key';
const now = new Date('2026-11-28T12:00:00.000Z');
const base: UnsignedEnvelope = {
  v: 1,
  id: 'cmd-1',
  kind: 'host.state',
  target: { type: 'idrac', id: 'ABC1234' },
  params: { hostId: 'ABC1234' },
  issuedAt: '2026-11-28T11:59:00.000Z',
  expiresAt: '2026-11-28T12:10:00.000Z',
};

describe('relay envelope', () => {
  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('accepts a well-signed, unexpired command', () => {
    const out = verifyEnvelope(signEnvelope(base, KEY), KEY, now);
    expect(out.ok).toBe(true);
  });

  it('rejects a command signed with another key', () => {
    expect(verifyEnvelope(signEnvelope(base, 'other'), KEY, now)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a tampered command', () => {
    const signed = signEnvelope(base, KEY);
    const tampered = { ...signed, params: { hostId: 'OTHER' } };
    expect(verifyEnvelope(tampered, KEY, now)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      id: 'cmd-1',
    });
  });

  it('rejects an unsigned command', () => {
    expect(verifyEnvelope(base, KEY, now)).toMatchObject({ ok: false, reason: 'unsigned' });
  });

  it('rejects an expired command', () => {
    const signed = signEnvelope({ ...base, expiresAt: '2026-11-28T11:59:59.000Z' }, KEY);
    expect(verifyEnvelope(signed, KEY, now)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('rejects a malformed command', () => {
    expect(verifyEnvelope({ sig: 'x' }, KEY, now)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyEnvelope('nonsense', KEY, now)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
