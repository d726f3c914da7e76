import { ValidationError } from '@rackops/core/util/errors';
import { parseCron } from '@rackops/core/windows/cron';
import { parseDuration } from '@rackops/core/windows/window-text';
import { BlockerPolicy, LocalDate, ZoneName } from '@rackops/core/windows/window.schema';
import { z } from 'zod';
import { FORM_INPUT } from '../cards/window-form-card';

/** A calendar date that exists (2027-02-30 does not round-trip). */
const realDate = (v: string) =>
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

const str = z.string().trim().max(400).catch('');

/** What the form's inputs say, each field checked on its own so an error names the field that is wrong. */
function field<T>(name: string, raw: unknown, check: (v: string) => T): T {
  const v = str.parse(raw ?? '');
  try {
    return check(v);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`${name}: ${why}. Nothing was created.`);
  }
}

const fail = (msg: string): never => {
  throw new Error(msg);
};
const oneOf =
  <T extends string>(values: readonly T[], what: string) =>
  (v: string): T =>
    (values as readonly string[]).includes(v)
      ? (v as T)
      : fail(`"${v.slice(0, 40)}" is not ${what} (${values.join(', ')})`);
const KINDS = ['once', 'weekly', 'monthly', 'lastday', 'cron'] as const;

/**
 * Turn the `window create` form's inputs into the text command's arguments, so the card and the grammar share
 * one creation path (parse, conflicts, four-eyes, preview). Throws a ValidationError naming the bad field.
 */
export function windowArgsFromForm(inputs: Record<string, unknown>): { targets: string; schedule: string } {
  const targets = field('Targets', inputs[FORM_INPUT.targets], (v) =>
    /^[A-Za-z0-9_.:-]+(\s*,\s*[A-Za-z0-9_.:-]+)*$/.test(v)
      ? v.replace(/\s+/g, '')
      : fail('name at least one cluster or host:ID, comma-separated'),
  );
  const kind = field('Schedule', inputs[FORM_INPUT.kind], oneOf(KINDS, 'a schedule kind'));
  const date = field('Date', inputs[FORM_INPUT.date], (v) => {
    if (v === '') return kind === 'once' ? fail('a one-shot window needs its date') : undefined;
    return LocalDate.safeParse(v).success && realDate(v)
      ? v
      : fail(`"${v.slice(0, 20)}" is not a date (YYYY-MM-DD)`);
  });
  const weekday = field(
    'Weekday',
    inputs[FORM_INPUT.weekday],
    oneOf(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], 'a weekday'),
  );
  const nth = field(
    'Which one of the month',
    inputs[FORM_INPUT.nth],
    oneOf(['first', 'second', 'third', 'fourth', 'last'], 'one of'),
  );
  const cron =
    kind === 'cron'
      ? field('Cron', inputs[FORM_INPUT.cron], (v) => {
          if (v === '') fail('a cron schedule needs its expression, e.g. 30 1 * * 6');
          if (v.includes('"')) fail('no quotes in the expression');
          parseCron(v);
          return v;
        })
      : '';
  // Some clients send HH:mm:ss from Input.Time; the grammar takes HH:mm.
  const time = field('Time', inputs[FORM_INPUT.time], (v) => {
    const m = /^([01]\d|2[0-3]):([0-5]\d)(:00)?$/.exec(v);
    return m ? `${m[1]}:${m[2]}` : fail(`"${v.slice(0, 20)}" is not a time (HH:mm)`);
  });
  const zone = field('Time zone', inputs[FORM_INPUT.zone], (v) => {
    const z = v === '' ? 'UTC' : v;
    return ZoneName.safeParse(z).success
      ? z
      : fail(`"${z.slice(0, 60)}" is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
  });
  const duration = field('Duration', inputs[FORM_INPUT.duration], (v) => {
    parseDuration(v);
    return v;
  });
  const policy = field('Blocker policy', inputs[FORM_INPUT.policy], (v) =>
    BlockerPolicy.safeParse(v).success
      ? v
      : fail(`"${v.slice(0, 40)}" is not one of ${BlockerPolicy.options.join(', ')}`),
  );
  const cont = field('Continue on failure', inputs[FORM_INPUT.continueOnFailure], (v) =>
    v === '' || v === 'false' ? false : v === 'true' ? true : fail('must be true or false'),
  );
  const when = `${time} ${zone} for ${duration}`;
  const from = date ? ` from ${date}` : '';
  const head: Record<(typeof KINDS)[number], string> = {
    once: `on ${date} ${when}`,
    weekly: `every ${weekday} ${when}${from}`,
    monthly: `${nth} ${weekday} of the month ${when}${from}`,
    lastday: `last day of the month ${when}${from}`,
    cron: `cron "${cron}" ${zone} for ${duration}${from}`,
  };
  return {
    targets,
    schedule: `${head[kind]} policy ${policy}${cont ? ' continue-on-failure' : ''}`,
  };
}
