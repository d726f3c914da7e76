import { DateTime } from 'luxon';
import { parseCron } from './cron';
import type { Slot } from './recurrence';
import type { WindowRecord } from './window.schema';

const DOW = ['', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/**
 * The EventBridge Scheduler expression for a series, evaluated in `ScheduleExpressionTimezone` = the window's
 * zone: `at(yyyy-mm-ddThh:mm:ss)` for a one-shot, `cron(min hour dom month dow year)` otherwise. Pure, so the
 * AWS adapter and the infra tests build the same string.
 */
export function scheduleExpression(w: Pick<WindowRecord, 'recurrence' | 'startDate' | 'startTime'>): string {
  const [hh, mm] = w.startTime.split(':').map(Number) as [number, number];
  const r = w.recurrence;
  switch (r.kind) {
    case 'once':
      return `at(${w.startDate}T${w.startTime}:00)`;
    case 'weekly':
      return `cron(${mm} ${hh} ? * ${r.weekdays.map((d) => DOW[d]).join(',')} *)`;
    case 'monthly-weekday':
      return `cron(${mm} ${hh} ? * ${DOW[r.weekday]}${r.nth === -1 ? 'L' : `#${r.nth}`} *)`;
    case 'monthly-day':
      return `cron(${mm} ${hh} ${r.day === -1 ? 'L' : r.day} * ? *)`;
    case 'cron': {
      const f = parseCron(r.expression);
      const list = (xs: readonly number[], n: number) => (xs.length === n ? '*' : xs.join(','));
      const dom = f.daysOfMonth.length ? f.daysOfMonth.join(',') : f.weekdays.length ? '?' : '*';
      const dow = f.weekdays.length ? f.weekdays.map((d) => DOW[d]).join(',') : '?';
      return `cron(${list(f.minutes, 60)} ${list(f.hours, 24)} ${dom} ${list(f.months, 12)} ${dow} *)`;
    }
  }
}

/**
 * EventBridge skips a cron time that does not exist on a spring-forward night; the documented behaviour
 * (DESIGN §11) is to fire once, shifted by the gap. Such slots get a one-shot at() of their own, named here.
 */
export function dstCatchUpExpression(slot: Slot, zone: string): string | undefined {
  if (!slot.shiftedByDst) return undefined;
  const local = DateTime.fromISO(slot.start, { zone });
  return `at(${local.toFormat("yyyy-MM-dd'T'HH:mm:ss")})`;
}
