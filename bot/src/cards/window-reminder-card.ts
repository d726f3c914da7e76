import type { AdaptiveCard } from '@microsoft/teams-ai';
import type { WindowReminderEvent } from '@rackops/core/ports/notifier.port';
import { MAX_POSTPONE_HOURS } from '@rackops/core/windows/postpone-limit';
import { z } from 'zod';
import { type CardKey, signCardData } from './card-data';
import { action, card, heading, text } from './elements';

/** What the reminder's buttons sign: the occurrence (window and UTC start). */
export const ReminderRef = z.object({
  windowId: z.string().min(1).max(64),
  start: z.iso.datetime({ offset: true }),
});
/** The postpone input: whole hours from the card's choice set, as the client sends it (a string). */
export const PostponeHours = z.coerce.number().int().min(1).max(MAX_POSTPONE_HOURS);

const CHOICES = [1, 2, 4, 8].filter((h) => h <= MAX_POSTPONE_HOURS);

/** The reminder card: what runs when, with *Skip this one* and *Postpone* (by the hours chosen). */
export function reminderCard(event: WindowReminderEvent, key: CardKey): AdaptiveCard {
  const ref = { windowId: event.windowId, start: event.start };
  return card(
    [
      heading(`🗓️ Maintenance window in ${event.lead}`),
      text(event.detail),
      {
        type: 'Input.ChoiceSet',
        id: 'in_hours',
        label: 'Postpone by',
        value: '1',
        choices: CHOICES.map((h) => ({ title: `${h} h`, value: String(h) })),
      },
    ],
    [
      action('Skip this one', 'window.skip', signCardData(key, 'window.skip', ref), 'destructive'),
      action('Postpone', 'window.postpone', signCardData(key, 'window.postpone', ref)),
    ],
  );
}
