import type { AdaptiveCard } from '@microsoft/teams-ai';
import { type CardKey, signCardData } from './card-data';
import { action, card, heading, text } from './elements';

/** Input ids of the `window create` form; the submission handler reads exactly these. */
export const FORM_INPUT = {
  targets: 'in_targets',
  kind: 'in_kind',
  date: 'in_date',
  weekday: 'in_weekday',
  nth: 'in_nth',
  cron: 'in_cron',
  time: 'in_time',
  zone: 'in_zone',
  duration: 'in_duration',
  policy: 'in_policy',
  continueOnFailure: 'in_continue',
} as const;

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const NTHS = ['first', 'second', 'third', 'fourth', 'last'];
const POLICIES = ['pause', 'skip_host', 'power_off_noncritical', 'fail'];

const choices = (values: string[], id: string, label: string, value: string) => ({
  type: 'Input.ChoiceSet',
  id,
  label,
  style: 'compact',
  value,
  choices: values.map((v) => ({ title: v.replaceAll('_', ' '), value: v })),
});

/**
 * The card form of `window create`: the same fields as the grammar. The client does not validate (no
 * `isRequired`/regex): the bot does, so every client gets the same error naming the field.
 */
export function windowFormCard(key: CardKey, today: string): AdaptiveCard {
  return card(
    [
      heading('🗓️ New maintenance window (rolling firmware update)'),
      text(
        'Fill in the same fields as `window create TARGETS SCHEDULE…`. Production clusters need a second person to approve.',
        { isSubtle: true },
      ),
      {
        type: 'Input.Text',
        id: FORM_INPUT.targets,
        label: 'Targets: clusters, comma-separated; host:ID for a single host',
        placeholder: 'prod-a,host:ABC1234',
      },
      {
        type: 'Input.ChoiceSet',
        id: FORM_INPUT.kind,
        label: 'Schedule',
        style: 'compact',
        value: 'once',
        choices: [
          { title: 'One-shot, on the date', value: 'once' },
          { title: 'Every WEEKDAY (weekly)', value: 'weekly' },
          { title: 'First…last WEEKDAY of the month', value: 'monthly' },
          { title: 'Last day of the month', value: 'lastday' },
          { title: 'Cron expression', value: 'cron' },
        ],
      },
      {
        type: 'Input.Date',
        id: FORM_INPUT.date,
        label: 'Date (one-shot), or first day of a series',
        value: today,
      },
      choices(WEEKDAYS, FORM_INPUT.weekday, 'Weekday (every / of the month)', 'sunday'),
      choices(NTHS, FORM_INPUT.nth, 'Which one of the month', 'first'),
      {
        type: 'Input.Text',
        id: FORM_INPUT.cron,
        label: 'Cron "M H DOM MON DOW" (cron only; its time wins over Time)',
        placeholder: '30 1 * * 6',
      },
      { type: 'Input.Time', id: FORM_INPUT.time, label: 'Time (HH:mm, local to the zone)', value: '02:00' },
      { type: 'Input.Text', id: FORM_INPUT.zone, label: 'Time zone (IANA)', value: 'UTC' },
      {
        type: 'Input.Text',
        id: FORM_INPUT.duration,
        label: 'Duration (4h, 90m, 1h30m)',
        value: '4h',
      },
      choices(POLICIES, FORM_INPUT.policy, 'When VMs block a host', 'pause'),
      {
        type: 'Input.Toggle',
        id: FORM_INPUT.continueOnFailure,
        title: 'Continue with the next host when one fails',
        value: 'false',
        valueOn: 'true',
        valueOff: 'false',
      },
    ],
    [
      action(
        'Create window',
        'window.create',
        signCardData(key, 'window.create', { form: 'window' }),
        'positive',
      ),
    ],
  );
}
