import { describe, expect, it } from 'vitest';
import { findConflict } from '../../src/windows/conflicts';
import { makeWindow } from './window-factory';

const NOW = new Date('2026-12-01T00:00:00Z');

describe('conflict detection', () => {
  it('refuses an overlapping window on the same cluster and names the other', () => {
    const stored = makeWindow({ windowId: 'W-SUN' });
    const candidate = makeWindow({ windowId: 'W-NEW', startTime: '05:00', durationMinutes: 120 });
    expect(findConflict(candidate, [stored], NOW)).toEqual({
      windowId: 'W-SUN',
      target: 'prod-a',
      candidateStart: '2026-12-06T04:00:00.000Z',
      otherStart: '2026-12-06T01:00:00.000Z',
    });
  });

  it('back-to-back windows do not overlap…', () => {
    const stored = makeWindow({ windowId: 'W-SUN', untilDate: '2027-03-21' });
    const next = makeWindow({ windowId: 'W-NEW', startTime: '06:00', untilDate: '2027-03-21' });
    expect(findConflict(next, [stored], NOW)).toBeUndefined();
  });

  it('…except on the spring-forward night, when 02:00 becomes 03:00 and four real hours reach 07:00', () => {
    const stored = makeWindow({ windowId: 'W-SUN' });
    const next = makeWindow({ windowId: 'W-NEW', startTime: '06:00' });
    expect(findConflict(next, [stored], NOW)).toMatchObject({
      windowId: 'W-SUN',
      candidateStart: '2027-03-28T04:00:00.000Z',
      otherStart: '2027-03-28T01:00:00.000Z',
    });
  });

  it('other clusters, cancelled windows and the window itself never conflict', () => {
    const other = makeWindow({ windowId: 'W-B', targets: { clusters: ['prod-b'], hosts: [] } });
    const cancelled = makeWindow({ windowId: 'W-X', state: 'cancelled' });
    const self = makeWindow();
    expect(findConflict(makeWindow(), [other, cancelled, self], NOW)).toBeUndefined();
  });

  it('a monthly window is found against a weekly one months ahead, on a shared host', () => {
    const weekly = makeWindow({
      windowId: 'W-SAT',
      recurrence: { kind: 'weekly', weekdays: [6] },
      targets: { clusters: [], hosts: ['esx-07'] },
    });
    const monthly = makeWindow({
      windowId: 'W-NEW',
      targets: { clusters: ['prod-a'], hosts: ['esx-07'] },
      recurrence: { kind: 'monthly-weekday', nth: 1, weekday: 6 },
      startDate: '2027-03-01',
    });
    const c = findConflict(monthly, [weekly], NOW);
    expect(c).toMatchObject({
      windowId: 'W-SAT',
      target: 'esx-07',
      candidateStart: '2027-03-06T01:00:00.000Z',
    });
  });

  it('an occurrence running now counts', () => {
    const running = makeWindow({ windowId: 'W-RUN', recurrence: { kind: 'once' }, startDate: '2026-12-06' });
    const candidate = makeWindow({
      windowId: 'W-NEW',
      recurrence: { kind: 'once' },
      startDate: '2026-12-06',
      startTime: '04:00',
    });
    expect(findConflict(candidate, [running], new Date('2026-12-06T02:30:00Z'))?.windowId).toBe('W-RUN');
  });
});
