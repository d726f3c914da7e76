import { describe, expect, it } from 'vitest';
import type { HardwareHealth } from '../src/relay/hardware-health.schema';
import { hardwareCheck, hardwareVerdict } from '../src/usecases/hardware-health';
import { DEFAULT_HEALTH_THRESHOLDS as T } from '../src/usecases/health-thresholds';

const NOW = new Date('2026-12-06T12:00:00Z');
const ok = (over: Partial<HardwareHealth> = {}): HardwareHealth => ({
  hostId: 'AAA0001',
  readAt: '2026-12-06T11:55:00Z',
  parts: ['system', 'processors', 'memory', 'storage', 'power', 'fans', 'temperature'].map((part) => ({
    part: part as HardwareHealth['parts'][number]['part'],
    health: 'OK',
  })),
  sel: [],
  lifecycleLog: [],
  certificate: { notAfter: '2030-01-01T00:00:00+00:00' },
  warnings: [],
  ...over,
});

describe('hardware verdict', () => {
  const cases: { name: string; read: HardwareHealth; state: string; first?: string }[] = [
    { name: 'all OK', read: ok(), state: 'ok' },
    {
      name: 'a warning part',
      read: ok({
        parts: [
          { part: 'system', health: 'Warning' },
          { part: 'fans', health: 'Warning' },
        ],
      }),
      state: 'warning',
      first: 'system: Warning',
    },
    {
      name: 'critical beats warning, listed first',
      read: ok({
        parts: [
          { part: 'fans', health: 'Warning' },
          { part: 'power', health: 'Critical' },
        ],
      }),
      state: 'critical',
      first: 'power: Critical',
    },
    {
      name: 'a certificate expiring within the warning days',
      read: ok({ certificate: { notAfter: '2026-12-16T12:00:00+00:00' } }),
      state: 'warning',
      first: 'iDRAC certificate expires in 10 day(s) (2026-12-16)',
    },
    {
      name: 'an expired certificate',
      read: ok({ certificate: { notAfter: '2026-12-01T00:00:00+00:00' } }),
      state: 'critical',
      first: 'iDRAC certificate expired 2026-12-01',
    },
    {
      name: 'critical log entries are listed, not counted: a SEL keeps them after the repair',
      read: ok({
        sel: [
          {
            id: '1',
            created: '2026-12-01T00:00:00Z',
            severity: 'Critical',
            message: 'Power supply 2 is lost.',
          },
        ],
      }),
      state: 'ok',
      first: 'SEL critical 2026-12-01T00:00:00Z: Power supply 2 is lost.',
    },
    {
      name: 'an old read of a healthy server is unknown',
      read: ok({ readAt: '2026-12-06T08:00:00Z' }),
      state: 'unknown',
      first: 'read 240 min ago (stale)',
    },
    {
      name: 'an old read of a critical server stays critical',
      read: ok({ readAt: '2026-12-06T08:00:00Z', parts: [{ part: 'memory', health: 'Critical' }] }),
      state: 'critical',
      first: 'memory: Critical',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const v = hardwareVerdict(c.read, NOW, T);
      expect(v.state).toBe(c.state);
      if (c.first) expect(v.items[0]).toBe(c.first);
      else expect(v.items).toEqual([]);
    });

  it('the check: worst server first, a never-read server unknown', () => {
    const check = hardwareCheck(
      [
        { serviceTag: 'AAA0001', hostName: 'esx-1', health: ok() },
        { serviceTag: 'AAA0002', hostName: 'esx-2' },
        { serviceTag: 'AAA0003', health: ok({ parts: [{ part: 'power', health: 'Critical' }] }) },
      ],
      NOW,
      T,
    );
    expect(check).toEqual({
      name: 'hardware',
      state: 'critical',
      detail: '1 critical, 1 unknown, 1 ok',
      items: [
        'critical · AAA0003: power: Critical',
        'unknown · AAA0002 (esx-2): never read: its health is read by `inventory.health` (on `inventory sync` and the inventory schedule)',
      ],
    });
  });
});
