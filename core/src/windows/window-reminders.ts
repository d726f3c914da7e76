import type { Actor } from '../jobs/job.schema';
import type { Notifier, WindowReminderEvent } from '../ports/notifier.port';
import type { Scheduler } from '../ports/scheduler.port';
import type { Store } from '../ports/store.port';
import { NotFoundError, ValidationError } from '../util/errors';
import { MAX_POSTPONE_HOURS } from './postpone-limit';
import { approvalAtFireTime } from './approval';
import { expandSlots, nextSlot, type Slot } from './recurrence';
import { createWindowStore } from './window-store';
import type { Occurrence, WindowRecord } from './window.schema';

/** How long before an occurrence each reminder goes out, in minutes. */
export const REMINDER_LEADS = { '24h': 24 * 60, '1h': 60 } as const;
export type ReminderLead = keyof typeof REMINDER_LEADS;
const LEADS = Object.keys(REMINDER_LEADS) as ReminderLead[];

export { MAX_POSTPONE_HOURS } from './postpone-limit';

export const reminderScheduleName = (windowId: string, lead: ReminderLead): string =>
  `window-${windowId}-remind-${lead}`;

/** The slot of the series that starts at `start` (UTC ISO), if it is still one of them (an edit may move it). */
export function slotAt(w: WindowRecord, start: string): Slot | undefined {
  const at = Date.parse(start);
  if (Number.isNaN(at)) return undefined;
  return expandSlots(w, new Date(at), new Date(at + 1), 1).find((s) => s.start === start);
}

/** Where a postponed occurrence really runs: its slot moved by `postponedMinutes`. */
export function shiftedSlot(slot: Slot, occ: Pick<Occurrence, 'postponedMinutes'> | undefined): Slot {
  const ms = (occ?.postponedMinutes ?? 0) * 60_000;
  if (ms === 0) return slot;
  const move = (iso: string) => new Date(Date.parse(iso) + ms).toISOString();
  return { ...slot, start: move(slot.start), end: move(slot.end) };
}

/**
 * Arm the reminders of the series' next occurrence through the same Scheduler port as the occurrence itself
 * (one one-shot per lead); a reminder whose time has passed, or a series with no next occurrence, has none.
 */
export async function armReminders(
  deps: { scheduler: Scheduler; now: () => Date },
  w: WindowRecord,
  next: Slot | undefined,
  /** The occurrence was postponed: its reminders come this much later; `start` stays its key. */
  postponedMinutes = 0,
): Promise<void> {
  for (const lead of LEADS) {
    const name = reminderScheduleName(w.windowId, lead);
    const at = next
      ? Date.parse(next.start) + (postponedMinutes - REMINDER_LEADS[lead]) * 60_000
      : Number.NaN;
    if (!next || !(at > deps.now().getTime())) {
      await deps.scheduler.cancel(name);
      continue;
    }
    await deps.scheduler.scheduleAt({
      name,
      at: new Date(at).toISOString(),
      target: { kind: 'window-reminder', windowId: w.windowId, start: next.start, lead },
    });
  }
}

const OVER: readonly Occurrence['status'][] = [
  'running',
  'completed',
  'partial',
  'failed',
  'skipped',
  'cancelled',
];

/** A reminder fired: tell the window's conversation, unless the occurrence was skipped, cancelled or moved. */
export async function remindOccurrence(
  deps: { store: Store; now: () => Date; notifier?: Notifier },
  windowId: string,
  start: string,
  lead: ReminderLead,
): Promise<WindowReminderEvent | undefined> {
  const windows = createWindowStore(deps.store, deps.now);
  const w = (await windows.getWindow(windowId))?.value;
  const slot = w && w.state === 'active' ? slotAt(w, start) : undefined;
  if (!w || !slot) return undefined;
  const occ = (await windows.getOccurrence(windowId, start))?.value;
  if (occ && OVER.includes(occ.status)) return undefined;
  const runs = shiftedSlot(slot, occ);
  const approval = approvalAtFireTime(w);
  const targets = [...w.targets.clusters, ...w.targets.hosts]
    .map((id) => w.targets.names?.[id] ?? id)
    .join(', ');
  const when = occ?.postponedMinutes
    ? `${runs.start} (postponed by ${occ.postponedMinutes / 60} h)`
    : `${slot.localStart.slice(0, 16).replace('T', ' ')} ${w.zone}`;
  const detail =
    `window ${w.windowId} (${targets}) starts ${when}, in about ${lead}: rolling firmware update, ` +
    `${w.durationMinutes / 60} h, policy ${w.blockerPolicy}` +
    (approval.ok ? '' : `; not approved: it will be skipped (${approval.reason})`);
  const clusterId = w.targets.clusters[0];
  const event: WindowReminderEvent = {
    kind: 'window_reminder',
    windowId,
    start,
    lead,
    detail: detail.slice(0, 4000),
    ...(w.conversationId ? { conversationId: w.conversationId } : {}),
    ...(clusterId ? { clusterId } : {}),
  };
  await deps.notifier?.notify(event);
  return event;
}

async function comingOccurrence(deps: { store: Store; now: () => Date }, windowId: string, start: string) {
  const windows = createWindowStore(deps.store, deps.now);
  const found = await windows.getWindow(windowId);
  if (!found) throw new NotFoundError('window', windowId);
  const w = found.value;
  const slot = w.state === 'active' ? slotAt(w, start) : undefined;
  if (!slot) throw new ValidationError(`window ${windowId} has no occurrence at ${start} any more`);
  const occ = (await windows.getOccurrence(windowId, start))?.value;
  if (occ && OVER.includes(occ.status))
    throw new ValidationError(`occurrence ${start} of window ${windowId} is already ${occ.status}`);
  if (Date.parse(shiftedSlot(slot, occ).start) <= deps.now().getTime())
    throw new ValidationError(`occurrence ${start} of window ${windowId} has already begun`);
  return { windows, w, slot, occ };
}

/** *Skip this one* on a reminder card: that occurrence does not run; the series goes on. */
export async function skipOccurrenceAt(
  deps: { store: Store; now: () => Date },
  windowId: string,
  start: string,
  by: Actor,
): Promise<Occurrence> {
  const { windows, slot } = await comingOccurrence(deps, windowId, start);
  return windows.moveOccurrence(
    { windowId, start: slot.start, end: slot.end },
    'skipped',
    { reason: `skipped by ${by.name ?? by.id} from the reminder` },
    by,
  );
}

/**
 * *Postpone* on a reminder card: the occurrence starts `hours` later (and lasts as long). Refused when it would
 * then run into the series' next occurrence, or postpone it by more than MAX_POSTPONE_HOURS in all. The series'
 * schedule still fires at the original time; the firing sees the postponement and fires again then.
 */
export async function postponeOccurrence(
  /** With the scheduler, the occurrence's reminders move with it (a 1 h reminder is 1 h before the new start). */
  deps: { store: Store; now: () => Date; scheduler?: Scheduler },
  windowId: string,
  start: string,
  hours: number,
  by: Actor,
): Promise<Occurrence> {
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_POSTPONE_HOURS)
    throw new ValidationError(`postpone by 1 to ${MAX_POSTPONE_HOURS} whole hours, not ${hours}`);
  const { windows, w, slot, occ } = await comingOccurrence(deps, windowId, start);
  const minutes = (occ?.postponedMinutes ?? 0) + hours * 60;
  if (minutes > MAX_POSTPONE_HOURS * 60)
    throw new ValidationError(
      `occurrence ${start} is already postponed by ${(occ?.postponedMinutes ?? 0) / 60} h; at most ${MAX_POSTPONE_HOURS} h in all`,
    );
  const moved = shiftedSlot(slot, { postponedMinutes: minutes });
  const after = nextSlot(w, new Date(Date.parse(slot.start) + 1000));
  if (after && Date.parse(moved.end) > Date.parse(after.start))
    throw new ValidationError(
      `postponed by ${minutes / 60} h it would run into the next occurrence at ${after.start}; skip this one instead`,
    );
  const postponed = await windows.moveOccurrence(
    { windowId, start: slot.start, end: slot.end },
    occ?.status ?? 'scheduled',
    { postponedMinutes: minutes, reason: `postponed by ${minutes / 60} h by ${by.name ?? by.id}` },
    by,
  );
  if (deps.scheduler) await armReminders({ scheduler: deps.scheduler, now: deps.now }, w, slot, minutes);
  return postponed;
}
