import {
  MAX_POSTPONE_HOURS,
  postponeOccurrence,
  skipOccurrenceAt,
} from '@rackops/core/windows/window-reminders';
import { z } from 'zod';
import { PostponeHours, ReminderRef } from '../cards/window-reminder-card';
import type { Turn } from '../runtime';
import type { CardResult } from './card-actions';
import { windowCreate } from './window-commands';
import { windowArgsFromForm } from './window-form-submit';

const WindowFormP = z.object({ form: z.literal('window') });

const who = (turn: Turn): string => turn.actor.name ?? turn.actor.id;
const windowDeps = (turn: Turn) => ({ store: turn.rt.store, now: () => turn.rt.clock.now() });

/**
 * The maintenance-window card verbs (reminder buttons, the `window create` form). Called by handleCardAction once
 * the data verified and the role, binding and identity checks passed.
 */
export async function windowCardAction(
  turn: Turn,
  verb: 'window.skip' | 'window.create' | 'window.postpone',
  p: Record<string, unknown>,
  inputs: Record<string, unknown>,
): Promise<CardResult> {
  switch (verb) {
    case 'window.skip': {
      const ref = ReminderRef.parse(p);
      await skipOccurrenceAt(windowDeps(turn), ref.windowId, ref.start, turn.actor);
      return {
        outcome: 'skipped',
        message: `⏭️ Occurrence ${ref.start} of window \`${ref.windowId}\` skipped by ${who(turn)}; the series goes on.`,
      };
    }
    case 'window.create': {
      WindowFormP.parse(p);
      // The same path as the text command: the form only spells the command's arguments.
      await windowCreate(turn, windowArgsFromForm(inputs));
      return { outcome: 'window_created' };
    }
    case 'window.postpone': {
      const ref = ReminderRef.parse(p);
      const hours = PostponeHours.safeParse(inputs.in_hours);
      if (!hours.success)
        return {
          outcome: 'invalid',
          message: `⛔ Postpone by 1 to ${MAX_POSTPONE_HOURS} whole hours. Nothing was changed.`,
        };
      const o = await postponeOccurrence(
        { ...windowDeps(turn), scheduler: turn.rt.usecases.scheduler },
        ref.windowId,
        ref.start,
        hours.data,
        turn.actor,
      );
      return {
        outcome: 'postponed',
        message: `⏩ Occurrence ${ref.start} of window \`${ref.windowId}\` postponed by ${(o.postponedMinutes ?? 0) / 60} h in all, by ${who(turn)}.`,
      };
    }
  }
}
