import { DateTime } from 'luxon';
import { ValidationError } from '../util/errors';
import { parseCron } from './cron';
import { BlockerPolicy, LocalDate, type Recurrence, ZoneName } from './window.schema';

/** What `window create …` says after its targets, before it becomes a record. */
export interface WindowSpecText {
  recurrence: Recurrence;
  startDate: string;
  startTime: string;
  zone: string;
  durationMinutes: number;
  untilDate?: string;
  blockerPolicy: BlockerPolicy;
  continueOnFailure: boolean;
}

const DAYS: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};
const NTH: Record<string, 1 | 2 | 3 | 4 | -1> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };

export const WINDOW_SPEC_USAGE =
  'every sunday 02:00 Europe/Berlin for 4h | first saturday of the month 02:00 UTC for 6h | ' +
  'last day of the month 22:00 UTC for 3h | on 2026-12-06 02:00 Europe/Berlin for 4h | ' +
  'cron "0 2 * * 0" Europe/Berlin for 4h; then optionally: from DATE, until DATE, ' +
  'policy pause|skip_host|power_off_noncritical|fail, continue-on-failure';

function date(text: string): string {
  if (!LocalDate.safeParse(text).success || !DateTime.fromISO(text).isValid) {
    throw new ValidationError(`"${text}" is not a date (YYYY-MM-DD)`);
  }
  return text;
}

function weekday(word: string | undefined): number {
  const w = (word ?? '').toLowerCase().replace(/s$/, '');
  // Full names or their first three letters (sun, mon, …); "sundays" reads naturally after "every".
  const d =
    DAYS[w] ?? (w.length === 3 ? Object.entries(DAYS).find(([name]) => name.startsWith(w))?.[1] : undefined);
  if (!d) throw new ValidationError(`"${word ?? ''}" is not a day of the week`);
  return d;
}

/**
 * Parse the schedule phrase of `window create` (the grammar in WINDOW_SPEC_USAGE). `today` (in the zone)
 * is the series start when no `from`/`on` date is given. Refuses anything it does not understand whole.
 */
export function parseWindowSpec(text: string, now: Date): WindowSpecText {
  const tokens = [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const take = (what: string): string => {
    const t = tokens[i++];
    if (t === undefined) throw new ValidationError(`expected ${what}; usage: ${WINDOW_SPEC_USAGE}`);
    return t;
  };
  let recurrence: Recurrence;
  let onDate: string | undefined;
  const first = take('a schedule').toLowerCase();
  if (first === 'every') {
    const days = take('a day of the week').split(',').map(weekday);
    recurrence = { kind: 'weekly', weekdays: [...new Set(days)].sort((a, b) => a - b) };
  } else if (first === 'on') {
    onDate = date(take('a date (YYYY-MM-DD)'));
    recurrence = { kind: 'once' };
  } else if (first === 'cron') {
    const expression = take('a quoted cron expression');
    parseCron(expression);
    recurrence = { kind: 'cron', expression };
  } else if (first in NTH) {
    const what = take('a day').toLowerCase();
    for (const w of ['of', 'the', 'month']) {
      if (take(`"${w}"`).toLowerCase() !== w)
        throw new ValidationError(`expected "of the month" after "${first} ${what}"`);
    }
    if (what === 'day') {
      if (first !== 'last') throw new ValidationError('only "last day of the month"; for day N use cron');
      recurrence = { kind: 'monthly-day', day: -1 };
    } else {
      recurrence = { kind: 'monthly-weekday', nth: NTH[first] ?? 1, weekday: weekday(what) };
    }
  } else {
    throw new ValidationError(`"${first}" does not start a schedule; usage: ${WINDOW_SPEC_USAGE}`);
  }
  const cron = recurrence.kind === 'cron';
  const startTime = cron ? '00:00' : take('a time (HH:mm)');
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(startTime))
    throw new ValidationError(`"${startTime}" is not a time (HH:mm)`);
  const zoneText = take('a time zone (e.g. Europe/Berlin or UTC)');
  const zoneOk = ZoneName.safeParse(zoneText);
  if (!zoneOk.success)
    throw new ValidationError(`"${zoneText}" is not a time zone (e.g. Europe/Berlin, UTC)`);
  if (take('"for DURATION"').toLowerCase() !== 'for')
    throw new ValidationError('expected "for DURATION", e.g. for 4h');
  const durationMinutes = parseDuration(take('a duration such as 4h or 90m'));

  const out: WindowSpecText = {
    recurrence,
    startDate: onDate ?? (DateTime.fromJSDate(now, { zone: zoneText }).toISODate() as string),
    startTime,
    zone: zoneText,
    durationMinutes,
    blockerPolicy: 'pause',
    continueOnFailure: false,
  };
  while (i < tokens.length) {
    const word = take('an option');
    switch (word.toLowerCase()) {
      case 'from':
        if (onDate)
          throw new ValidationError('"from" is for a recurring window; a one-shot has its "on" date');
        out.startDate = date(take('a date (YYYY-MM-DD)'));
        break;
      case 'until':
        out.untilDate = date(take('a date (YYYY-MM-DD)'));
        break;
      case 'policy': {
        const p = BlockerPolicy.safeParse(take('a blocker policy').toLowerCase());
        if (!p.success)
          throw new ValidationError('policy is one of pause, skip_host, power_off_noncritical, fail');
        out.blockerPolicy = p.data;
        break;
      }
      case 'continue-on-failure':
        out.continueOnFailure = true;
        break;
      default:
        throw new ValidationError(`"${word}" is not an option; usage: ${WINDOW_SPEC_USAGE}`);
    }
  }
  if (peek() !== undefined) throw new ValidationError('unexpected words at the end');
  if (out.untilDate && out.untilDate < out.startDate)
    throw new ValidationError('"until" is before the start');
  return out;
}

/** `4h`, `90m`, `1h30m`: 15 minutes to 7 days. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d{1,3})h)?(?:(\d{1,4})m(?:in)?)?$/i.exec(text);
  if (!m || (!m[1] && !m[2]))
    throw new ValidationError(`"${text}" is not a duration such as 4h, 90m or 1h30m`);
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  if (minutes < 15 || minutes > 7 * 24 * 60) throw new ValidationError('a window lasts 15 minutes to 7 days');
  return minutes;
}
