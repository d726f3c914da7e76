import { ValidationError } from '../util/errors';

/**
 * A classic five-field cron expression (minute hour day-of-month month day-of-week), the form operators
 * know; EventBridge's six-field dialect is produced from it (schedule-expression.ts). Only the field
 * matching lives here: which wall-clock times exist in a zone is Luxon's business (recurrence.ts).
 */
export interface CronFields {
  minutes: readonly number[];
  hours: readonly number[];
  /** Empty when the field is `*`. */
  daysOfMonth: readonly number[];
  months: readonly number[];
  /** Luxon numbering (1 = Monday … 7 = Sunday); empty when the field is `*`. */
  weekdays: readonly number[];
}

const NAMES: Record<string, number> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

function field(text: string, min: number, max: number, what: string): number[] | 'any' {
  if (text === '*' || text === '?') return 'any';
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d{1,2}))?$/i.exec(part);
    if (!m?.[1]) throw new ValidationError(`cron ${what}: "${part}" is not a value, range or step`);
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) throw new ValidationError(`cron ${what}: step must be at least 1`);
    let lo = min;
    let hi = max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-').map((v) => value(v, what));
      lo = a ?? min;
      hi = b ?? (m[2] ? max : lo);
    }
    if (lo < min || hi > max || lo > hi)
      throw new ValidationError(`cron ${what}: ${part} is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

function value(v: string, what: string): number {
  const named = NAMES[v.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d{1,2}$/.test(v)) throw new ValidationError(`cron ${what}: "${v}" is not a number`);
  return Number(v);
}

export function parseCron(expression: string): CronFields {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new ValidationError(
      `cron needs five fields (minute hour day-of-month month day-of-week): "${expression}"`,
    );
  }
  const [mi, h, dom, mon, dow] = parts as [string, string, string, string, string];
  const all = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const minutes = field(mi, 0, 59, 'minute');
  const hours = field(h, 0, 23, 'hour');
  const days = field(dom, 1, 31, 'day of month');
  const months = field(mon, 1, 12, 'month');
  const weekdays = field(dow, 0, 7, 'day of week');
  const daysOfMonth = days === 'any' ? [] : days;
  const luxonWeekdays = weekdays === 'any' ? [] : [...new Set(weekdays.map((d) => (d === 0 ? 7 : d)))];
  if (daysOfMonth.length > 0 && luxonWeekdays.length > 0) {
    // Classic cron ORs the two; EventBridge cannot express that (one of them must be `?`), so refuse it here.
    throw new ValidationError('cron: give a day of month or a day of week, not both');
  }
  return {
    minutes: minutes === 'any' ? all(0, 59) : minutes,
    hours: hours === 'any' ? all(0, 23) : hours,
    daysOfMonth,
    months: months === 'any' ? all(1, 12) : months,
    weekdays: luxonWeekdays.sort((a, b) => a - b),
  };
}

/** Does a calendar day (in the zone) match the day fields? */
export function cronMatchesDay(f: CronFields, day: { month: number; day: number; weekday: number }): boolean {
  if (!f.months.includes(day.month)) return false;
  if (f.daysOfMonth.length > 0 && !f.daysOfMonth.includes(day.day)) return false;
  if (f.weekdays.length > 0 && !f.weekdays.includes(day.weekday)) return false;
  return true;
}
