import { DateTime } from 'luxon';
import { ValidationError } from '../util/errors';
import { type CronFields, cronMatchesDay, parseCron } from './cron';
import type { WindowRecord } from './window.schema';

/** The fields of a window that say when it happens. */
export type SeriesSpec = Pick<
  WindowRecord,
  'zone' | 'startDate' | 'startTime' | 'durationMinutes' | 'recurrence' | 'untilDate'
>;

/** One occurrence's slot: UTC instants, plus the wall-clock start in the window's zone for people. */
export interface Slot {
  start: string;
  end: string;
  /** ISO with the zone's offset, e.g. 2026-03-29T03:30:00.000+02:00. */
  localStart: string;
  /**
   * The asked-for wall-clock time does not exist that day (spring forward), so the slot starts shifted
   * forward by the gap (Luxon's rule: 02:30 → 03:30 in Europe/Berlin). EventBridge's cron() skips such a
   * time, so the scheduler gives these slots an at() of their own.
   */
  shiftedByDst?: true;
}

/** Occurrences are listed at most this far ahead: a year and a bit covers "first saturday" and leap days. */
export const MAX_EXPANSION_DAYS = 800;

/**
 * Occurrences of a series whose start lies in [from, to), in order, at most `limit`. Pure: zone rules come
 * from Luxon (the runtime's ICU data), never from hand-written offsets.
 *
 * Daylight saving, as documented in DESIGN §11: a time that does not exist (02:30 on a spring-forward night)
 * fires once, shifted forward by the gap (03:30 summer time); a time that exists twice (02:30 on a fall-back
 * night) fires once, at its second instance (standard time, after the clocks went back; Luxon's
 * resolution). The occurrence lasts `durationMinutes` of real time.
 */
export function expandSlots(spec: SeriesSpec, from: Date, to: Date, limit = 500): Slot[] {
  const zone = spec.zone;
  const seriesStart = DateTime.fromISO(spec.startDate, { zone });
  if (!seriesStart.isValid)
    throw new ValidationError(`start date ${spec.startDate} is not a date in ${zone}`);
  const fromZ = DateTime.fromJSDate(from, { zone });
  const toZ = DateTime.fromJSDate(to, { zone });
  let day = DateTime.max(seriesStart, fromZ.startOf('day'));
  let lastDay = toZ.startOf('day');
  if (spec.untilDate) {
    const until = DateTime.fromISO(spec.untilDate, { zone });
    if (!until.isValid) throw new ValidationError(`until date ${spec.untilDate} is not a date`);
    lastDay = DateTime.min(lastDay, until);
  }
  const guard = day.plus({ days: MAX_EXPANSION_DAYS });
  if (lastDay > guard) lastDay = guard;

  const cron = spec.recurrence.kind === 'cron' ? parseCron(spec.recurrence.expression) : undefined;
  const [hh, mm] = spec.startTime.split(':').map(Number) as [number, number];
  const slots: Slot[] = [];
  const seen = new Set<number>();
  for (; day <= lastDay && slots.length < limit; day = day.plus({ days: 1 })) {
    for (const t of timesOn(spec, cron, day, hh, mm)) {
      const dt = DateTime.fromObject(
        { year: day.year, month: day.month, day: day.day, hour: t.hour, minute: t.minute },
        { zone },
      );
      const ms = dt.toMillis();
      if (seen.has(ms) || ms < from.getTime() || ms >= to.getTime()) continue;
      seen.add(ms);
      const slot: Slot = {
        start: dt.toUTC().toISO() as string,
        end: dt.plus({ minutes: spec.durationMinutes }).toUTC().toISO() as string,
        localStart: dt.toISO() as string,
      };
      if (dt.hour !== t.hour || dt.minute !== t.minute) slot.shiftedByDst = true;
      slots.push(slot);
      if (slots.length >= limit) break;
    }
  }
  return slots;
}

/** The wall-clock times (in order) at which the series starts on one calendar day of its zone. */
function timesOn(
  spec: SeriesSpec,
  cron: CronFields | undefined,
  day: DateTime,
  hh: number,
  mm: number,
): { hour: number; minute: number }[] {
  const r = spec.recurrence;
  const at = [{ hour: hh, minute: mm }];
  switch (r.kind) {
    case 'once':
      return day.toISODate() === spec.startDate ? at : [];
    case 'weekly':
      return r.weekdays.includes(day.weekday) ? at : [];
    case 'monthly-weekday': {
      if (day.weekday !== r.weekday) return [];
      const isNth =
        r.nth === -1 ? day.plus({ days: 7 }).month !== day.month : Math.ceil(day.day / 7) === r.nth;
      return isNth ? at : [];
    }
    case 'monthly-day':
      return day.day === (r.day === -1 ? day.daysInMonth : r.day) ? at : [];
    case 'cron': {
      if (!cron || !cronMatchesDay(cron, { month: day.month, day: day.day, weekday: day.weekday })) return [];
      return cron.hours.flatMap((hour) => cron.minutes.map((minute) => ({ hour, minute })));
    }
  }
}

/** The first occurrence starting at or after `after`, if any within MAX_EXPANSION_DAYS. */
export function nextSlot(spec: SeriesSpec, after: Date): Slot | undefined {
  const to = new Date(after.getTime() + MAX_EXPANSION_DAYS * 86_400_000);
  return expandSlots(spec, after, to, 1)[0];
}
