import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

describe('inventory.health against the lab: rollups, SEL and LC entries, certificate expiry', () => {
  let h: RelayHarness;
  const t = (id: string) => ({ type: 'idrac' as const, id });
  beforeAll(async () => {
    h = await RelayHarness.start({
      lab: smallLab(2),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const read = async (host: string, entries = 5) => {
    const env = h.envelope('inventory.health', t(host), { entries });
    await h.send(env);
    const r = await h.waitForResult(env.id, 20_000);
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    return r.output as {
      parts: { part: string; health: string }[];
      sel: { severity: string; message: string; messageId?: string }[];
      lifecycleLog: { severity: string; message: string }[];
      certificate?: { notAfter: string; subject?: string };
      warnings: string[];
    };
  };

  it('a healthy host: every part OK, no critical SEL entry, the captured LC entry and certificate', async () => {
    const out = await read('TEST001');
    expect(out.parts.map((p) => p.part)).toEqual([
      'system',
      'processors',
      'memory',
      'storage',
      'power',
      'fans',
      'temperature',
    ]);
    expect(out.parts.every((p) => p.health === 'OK')).toBe(true);
    expect(out.sel).toEqual([]);
    // The captured R750's LC log holds one critical entry of its own (a failed Secure Boot export).
    expect(out.lifecycleLog).toEqual([
      expect.objectContaining({ severity: 'Critical', messageId: 'IDRAC.2.7.SWC9005' }),
    ]);
    expect(out.certificate).toEqual({ notAfter: '2032-11-23T01:28:00+00:00', subject: expect.any(String) });
    expect(out.warnings).toEqual([]);
  });

  it('a failed power supply: system and power critical, the SEL and LC entries on top; cleared, OK again', async () => {
    h.lab.faults.set('TEST002', { hardware: { component: 'power', severity: 'Critical' } });
    const out = await read('TEST002');
    const byPart = Object.fromEntries(out.parts.map((p) => [p.part, p.health]));
    expect(byPart).toMatchObject({ system: 'Critical', power: 'Critical', fans: 'OK', memory: 'OK' });
    expect(out.sel).toEqual([
      expect.objectContaining({
        severity: 'Critical',
        message: 'Power supply 2 is lost.',
        messageId: 'PSU0003',
      }),
    ]);
    expect(out.lifecycleLog[0]).toMatchObject({ severity: 'Critical', message: 'Power supply 2 is lost.' });

    // A second fault on the same host adds an entry, newest first; `entries` bounds what is kept.
    h.lab.faults.set('TEST002', {
      hardware: { component: 'fans', severity: 'Warning', message: 'Fan 5 is slow.' },
    });
    const two = await read('TEST002');
    expect(two.sel.map((e) => e.message)).toEqual(['Fan 5 is slow.', 'Power supply 2 is lost.']);
    expect((await read('TEST002', 1)).sel.map((e) => e.message)).toEqual(['Fan 5 is slow.']);

    h.lab.faults.clear('TEST002');
    const after = await read('TEST002');
    expect(after.parts.every((p) => p.health === 'OK')).toBe(true);
    // The deassert is logged as OK: the old entries stay, as in a real SEL.
    expect(after.sel.map((e) => e.message)).toEqual(['Fan 5 is slow.', 'Power supply 2 is lost.']);
  });

  it('a certificate about to expire is read with its real date', async () => {
    h.lab.faults.set('TEST001', { certificateExpiresInDays: 3 });
    const out = await read('TEST001');
    const days =
      (Date.parse(out.certificate?.notAfter ?? '') - h.lab.world.clock.now().getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(2.9);
    expect(days).toBeLessThanOrEqual(3);
    h.lab.faults.clear('TEST001');
  });
});
