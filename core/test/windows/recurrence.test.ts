import { describe, expect, it } from 'vitest';
import { expandSlots, nextSlot, type SeriesSpec } from '../../src/windows/recurrence';

const spec = (over: Partial<SeriesSpec>): SeriesSpec => ({
  zone: 'Europe/Berlin',
  startDate: '2026-01-01',
  startTime: '02:00',
  durationMinutes: 240,
  recurrence: { kind: 'weekly', weekdays: [7] },
  ...over,
});
const starts = (s: SeriesSpec, from: string, to: string) =>
  expandSlots(s, new Date(from), new Date(to)).map((x) => x.start);

describe('recurrence expansion', () => {
  it('every sunday 02:00 Europe/Berlin follows the zone across the summer-time switch', () => {
    expect(starts(spec({}), '2026-03-20T00:00Z', '2026-04-06T00:00Z')).toEqual([
      '2026-03-22T01:00:00.000Z', // CET
      '2026-03-29T01:00:00.000Z', // 02:00 does not exist: 03:00 CEST
      '2026-04-05T00:00:00.000Z', // CEST
    ]);
  });

  it('02:30 on the spring-forward night fires once, shifted by the gap, and says so (Berlin)', () => {
    const s = spec({ startTime: '02:30' });
    const slots = expandSlots(s, new Date('2026-03-28T00:00Z'), new Date('2026-03-30T00:00Z'));
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({
      start: '2026-03-29T01:30:00.000Z',
      localStart: '2026-03-29T03:30:00.000+02:00',
      end: '2026-03-29T05:30:00.000Z', // four real hours
      shiftedByDst: true,
    });
  });

  it('02:30 on the spring-forward night fires once (New York)', () => {
    const s = spec({ zone: 'America/New_York', startTime: '02:30' });
    const slots = expandSlots(s, new Date('2026-03-07T00:00Z'), new Date('2026-03-10T00:00Z'));
    expect(slots.map((x) => [x.start, x.localStart, x.shiftedByDst])).toEqual([
      ['2026-03-08T07:30:00.000Z', '2026-03-08T03:30:00.000-04:00', true],
    ]);
  });

  it('a time that exists twice on the fall-back night fires once, at standard time (Berlin, New York)', () => {
    const berlin = expandSlots(
      spec({ startTime: '02:30' }),
      new Date('2026-10-24T00:00Z'),
      new Date('2026-10-26T00:00Z'),
    );
    expect(berlin.map((x) => x.localStart)).toEqual(['2026-10-25T02:30:00.000+01:00']);
    expect(berlin[0]?.shiftedByDst).toBeUndefined();
    const ny = expandSlots(
      spec({ zone: 'America/New_York', startTime: '01:30' }),
      new Date('2026-10-31T00:00Z'),
      new Date('2026-11-02T12:00Z'),
    );
    expect(ny.map((x) => x.start)).toEqual(['2026-11-01T06:30:00.000Z']);
  });

  it('an hourly cron across fall-back has no duplicate and across spring-forward no invented hour', () => {
    const hourly = spec({ recurrence: { kind: 'cron', expression: '0 * * * *' } });
    const fall = starts(hourly, '2026-10-24T22:00Z', '2026-10-25T23:00Z'); // one local day, 25 real hours
    expect(new Set(fall).size).toBe(fall.length);
    expect(fall).toHaveLength(24); // the repeated 02:00 fires once
    const spring = starts(hourly, '2026-03-28T23:00Z', '2026-03-29T22:00Z'); // one local day, 23 real hours
    expect(spring).toHaveLength(23);
  });

  it('first saturday of the month, and the last one', () => {
    const first = spec({ recurrence: { kind: 'monthly-weekday', nth: 1, weekday: 6 } });
    expect(starts(first, '2026-01-01T00:00Z', '2026-04-01T00:00Z')).toEqual([
      '2026-01-03T01:00:00.000Z',
      '2026-02-07T01:00:00.000Z',
      '2026-03-07T01:00:00.000Z',
    ]);
    const last = spec({ recurrence: { kind: 'monthly-weekday', nth: -1, weekday: 6 } });
    expect(starts(last, '2026-01-01T00:00Z', '2026-03-01T00:00Z')).toEqual([
      '2026-01-31T01:00:00.000Z',
      '2026-02-28T01:00:00.000Z',
    ]);
  });

  it('month end: day 31 skips short months, "last day" never does', () => {
    const d31 = spec({ zone: 'UTC', recurrence: { kind: 'monthly-day', day: 31 } });
    expect(starts(d31, '2026-01-01T00:00Z', '2026-06-01T00:00Z')).toEqual([
      '2026-01-31T02:00:00.000Z',
      '2026-03-31T02:00:00.000Z',
      '2026-05-31T02:00:00.000Z',
    ]);
    const lastDay = spec({ zone: 'UTC', recurrence: { kind: 'monthly-day', day: -1 } });
    expect(starts(lastDay, '2026-01-01T00:00Z', '2026-05-01T00:00Z')).toEqual([
      '2026-01-31T02:00:00.000Z',
      '2026-02-28T02:00:00.000Z',
      '2026-03-31T02:00:00.000Z',
      '2026-04-30T02:00:00.000Z',
    ]);
  });

  it('leap day: day 29 in February and a 29 Feb cron fire only in leap years', () => {
    const feb29 = spec({ zone: 'UTC', recurrence: { kind: 'cron', expression: '0 3 29 2 *' } });
    expect(starts(feb29, '2026-01-01T00:00Z', '2028-12-31T00:00Z')).toEqual(['2028-02-29T03:00:00.000Z']);
    const lastDay = spec({
      zone: 'UTC',
      startDate: '2028-01-01',
      recurrence: { kind: 'monthly-day', day: -1 },
    });
    expect(starts(lastDay, '2028-02-01T00:00Z', '2028-03-01T00:00Z')).toEqual(['2028-02-29T02:00:00.000Z']);
  });

  it('a one-shot happens once; startDate and untilDate bound a series', () => {
    const once = spec({ startDate: '2026-12-06', recurrence: { kind: 'once' } });
    expect(starts(once, '2026-01-01T00:00Z', '2027-12-31T00:00Z')).toEqual(['2026-12-06T01:00:00.000Z']);
    const bounded = spec({ startDate: '2026-12-01', untilDate: '2026-12-20' });
    expect(starts(bounded, '2026-11-01T00:00Z', '2027-02-01T00:00Z')).toEqual([
      '2026-12-06T01:00:00.000Z',
      '2026-12-13T01:00:00.000Z',
      '2026-12-20T01:00:00.000Z',
    ]);
  });

  it('nextSlot finds the next occurrence at or after a moment', () => {
    const s = spec({});
    expect(nextSlot(s, new Date('2026-12-06T01:00:00Z'))?.start).toBe('2026-12-06T01:00:00.000Z');
    expect(nextSlot(s, new Date('2026-12-06T01:00:01Z'))?.start).toBe('2026-12-13T01:00:00.000Z');
    expect(nextSlot(spec({ recurrence: { kind: 'once' } }), new Date('2026-02-01T00:00Z'))).toBeUndefined();
  });
});
