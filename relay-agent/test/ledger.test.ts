import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/ledger/ledger';

const dir = mkdtempSync(join(tmpdir(), 'relay-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (id: string, expiresAt: string) => ({
  id,
  kind: 'firmware.stage',
  target: 'idrac:A',
  sig: 'a'.repeat(64),
  expiresAt,
});
const result = (id: string): RelayMessage => ({
  type: 'result',
  v: 1,
  commandId: id,
  kind: 'firmware.stage',
  at: '2026-11-28T00:00:00.000Z',
  ok: true,
  output: { jobs: [], alreadyDone: [] },
  durationMs: 5,
});

describe('the command ledger', () => {
  it('survives a reopen: status, attempts, outcome and checkpoints', () => {
    const path = join(dir, 'a.sqlite');
    const now = new Date('2026-11-28T00:00:00Z');
    const l1 = new Ledger(path);
    expect(l1.begin(entry('c1', '2026-11-28T02:00:00Z'), now)).toMatchObject({
      status: 'in_progress',
      attempts: 1,
    });
    l1.setMemo('c1', 'jid:159', 'JID_000000000001');
    l1.begin(entry('c2', '2026-11-28T02:00:00Z'), now);
    l1.complete('c2', result('c2'), now);
    l1.close();

    const l2 = new Ledger(path);
    expect(l2.get('c1')).toMatchObject({ status: 'in_progress', attempts: 1, result: undefined });
    expect(l2.getMemo('c1', 'jid:159')).toBe('JID_000000000001');
    expect(l2.begin(entry('c1', '2026-11-28T02:00:00Z'), now).attempts).toBe(2);
    expect(l2.get('c2')).toMatchObject({ status: 'completed', result: result('c2') });
    expect(l2.get('nope')).toBeUndefined();
    l2.close();
  });

  it('prunes ids only after their envelopes expired', () => {
    const l = new Ledger(join(dir, 'b.sqlite'));
    const now = new Date('2026-11-28T00:00:00Z');
    l.begin(entry('old', '2026-11-26T00:00:00Z'), now);
    l.setMemo('old', 'k', 1);
    l.begin(entry('live', '2026-11-28T02:00:00Z'), now);
    expect(l.prune(new Date('2026-11-27T00:00:00Z'))).toBe(1);
    expect(l.get('old')).toBeUndefined();
    expect(l.getMemo('old', 'k')).toBeUndefined();
    expect(l.get('live')).toBeDefined();
    l.close();
  });
});
