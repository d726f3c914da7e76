import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/util/errors';
import { parseDuration, parseWindowSpec } from '../../src/windows/window-text';

const NOW = new Date('2026-12-01T10:00:00Z');

describe('window schedule grammar', () => {
  it('every sunday 02:00 Europe/Berlin for 4h', () => {
    expect(parseWindowSpec('every sunday 02:00 Europe/Berlin for 4h', NOW)).toEqual({
      recurrence: { kind: 'weekly', weekdays: [7] },
      startDate: '2026-12-01',
      startTime: '02:00',
      zone: 'Europe/Berlin',
      durationMinutes: 240,
      blockerPolicy: 'pause',
      continueOnFailure: false,
    });
  });

  it('first saturday of the month, last day of the month, one-shot, cron, options', () => {
    expect(parseWindowSpec('first saturday of the month 02:00 UTC for 6h', NOW).recurrence).toEqual({
      kind: 'monthly-weekday',
      nth: 1,
      weekday: 6,
    });
    expect(parseWindowSpec('last day of the month 22:00 UTC for 90m', NOW)).toMatchObject({
      recurrence: { kind: 'monthly-day', day: -1 },
      durationMinutes: 90,
    });
    expect(parseWindowSpec('on 2026-12-06 02:00 America/New_York for 1h30m', NOW)).toMatchObject({
      recurrence: { kind: 'once' },
      startDate: '2026-12-06',
      durationMinutes: 90,
    });
    expect(
      parseWindowSpec(
        'cron "30 1 * * 6" Europe/Berlin for 4h policy skip_host continue-on-failure until 2027-06-30',
        NOW,
      ),
    ).toMatchObject({
      recurrence: { kind: 'cron', expression: '30 1 * * 6' },
      blockerPolicy: 'skip_host',
      continueOnFailure: true,
      untilDate: '2027-06-30',
    });
    expect(parseWindowSpec('every sat,sun 01:00 UTC for 2h from 2027-01-01', NOW)).toMatchObject({
      recurrence: { kind: 'weekly', weekdays: [6, 7] },
      startDate: '2027-01-01',
    });
  });

  it.each([
    ['every someday 02:00 UTC for 4h', /day of the week/],
    ['every sunday 25:00 UTC for 4h', /not a time/],
    ['every sunday 02:00 Mars/Olympus for 4h', /time zone/],
    ['every sunday 02:00 UTC for 5m', /15 minutes to 7 days/],
    ['every sunday 02:00 UTC', /for DURATION/],
    ['every sunday 02:00 UTC for 4h policy yolo', /policy is one of/],
    ['every sunday 02:00 UTC for 4h until 2020-01-01', /before the start/],
    ['on 2026-02-30 02:00 UTC for 4h', /not a date/],
    ['cron "0 2 1 * 0" UTC for 4h', /not both/],
    ['cron "0 2 * *" UTC for 4h', /five fields/],
    ['whenever UTC for 4h', /does not start a schedule/],
    ['every sunday 02:00 UTC for 4h please', /not an option/],
  ])('refuses %s', (text, why) => {
    expect(() => parseWindowSpec(text, NOW)).toThrow(ValidationError);
    expect(() => parseWindowSpec(text, NOW)).toThrow(why);
  });

  it('durations', () => {
    expect(parseDuration('4h')).toBe(240);
    expect(parseDuration('45m')).toBe(45);
    expect(() => parseDuration('4 hours')).toThrow(ValidationError);
  });
});
