import { SYSTEM } from '../jobs/job.schema';
import type { Notifier } from '../ports/notifier.port';
import type { Scheduler } from '../ports/scheduler.port';
import type { Store } from '../ports/store.port';
import { approvalAtFireTime } from './approval';
import { notifyOccurrence } from './occurrence-notify';
import { expandSlots, nextSlot, type Slot } from './recurrence';
import { armReminders, shiftedSlot, slotAt } from './window-reminders';
import { scaledEnd } from './window-rollout';
import { createWindowStore } from './window-store';
import type { Occurrence, WindowRecord } from './window.schema';

/** The schedule of a series is named after it, so reconcile can tell ours from others'. */
export const windowScheduleName = (windowId: string): string => `window-${windowId}`;
/** The one-shot that ends the series' running occurrence (see window-end.ts). */
export const windowEndScheduleName = (windowId: string): string => `${windowScheduleName(windowId)}-end`;

export interface FiringDeps {
  store: Store;
  scheduler: Scheduler;
  now: () => Date;
  /** Another job running on the cluster or host, if any: its id (then the occurrence is skipped, not queued). */
  activeJobOn: (targetId: string) => Promise<string | undefined>;
  agentOnline: () => Promise<boolean>;
  /** Told when an occurrence is skipped or ends at once (the notification pipeline). */
  notifier?: Notifier;
  /** The lab's time scale (local only): an occurrence ends after its length × this. @default 1 */
  timeScale?: number;
  /**
   * Start the rolling update with the window's policy and deadline; `hosts` narrows it to the hosts a
   * previous `partial` occurrence left. Returns the ids of the jobs started (none: nothing left to do).
   */
  startRollout: (req: {
    window: WindowRecord;
    slot: Slot;
    deadline: string;
    /** A postponed occurrence's real start (its end is `deadline`). */
    runStart?: string;
    hosts?: readonly string[];
  }) => Promise<readonly string[]>;
}

/**
 * Arm the series' schedule for its next occurrence after now (a one-shot at() on the Scheduler port; each
 * firing arms the next), or delete it when the series is over or cancelled. An occurrence moved by a
 * spring-forward night is armed at its shifted instant, so it fires once there.
 */
export async function armWindow(
  deps: Pick<FiringDeps, 'scheduler' | 'now'>,
  w: WindowRecord,
  /** The occurrence that just fired: the next one comes after it, even if the clock reads earlier. */
  fired?: Slot,
): Promise<Slot | undefined> {
  const name = windowScheduleName(w.windowId);
  const after = Math.max(deps.now().getTime(), fired ? Date.parse(fired.start) : 0) + 1000;
  const next = w.state === 'active' ? nextSlot(w, new Date(after)) : undefined;
  await armReminders(deps, w, next);
  if (!next) {
    await deps.scheduler.cancel(name);
    return undefined;
  }
  await deps.scheduler.scheduleAt({
    name,
    at: next.start,
    target: { kind: 'window', windowId: w.windowId, start: next.start },
  });
  return next;
}

/**
 * The `window` target of the claim handler. Reads every condition now (the seed's key principle): approval
 * still valid, no other job on a target, agent online; a failed condition marks the occurrence `skipped` with
 * the reason rather than queueing it. Hosts a previous `partial` occurrence left are carried over. Always
 * re-arms the series.
 */
export async function fireWindow(
  deps: FiringDeps,
  windowId: string,
  armedFor?: string,
  /** The target's `postponedTo`: this firing is the postponed one. */
  postponedTo?: string,
): Promise<Occurrence | undefined> {
  const windows = createWindowStore(deps.store, deps.now);
  const found = await windows.getWindow(windowId);
  if (!found) {
    await deps.scheduler.cancel(windowScheduleName(windowId)); // an orphan schedule
    return undefined;
  }
  const w = found.value;
  const now = deps.now();
  let slot: Slot | undefined;
  let rearm = true;
  try {
    // The slot the schedule was armed for, else the one running now (a late delivery still lands inside it;
    // the latest one started: a time-scaled lab runs a series whose slots overlap on paper).
    const armed = armedFor ? slotAt(w, armedFor) : undefined;
    const late = armed
      ? Date.parse(armed.end) + (postponedTo ? Date.parse(postponedTo) - Date.parse(armed.start) : 0)
      : 0;
    slot =
      armed && now.getTime() < late
        ? armed
        : expandSlots(
            w,
            new Date(now.getTime() - w.durationMinutes * 60_000),
            new Date(now.getTime() + 60_000),
          )
            .filter((s) => Date.parse(s.start) <= now.getTime() + 60_000 && now.getTime() < Date.parse(s.end))
            .at(-1);
    if (!slot || w.state !== 'active') return undefined;
    const at = { windowId, start: slot.start, end: slot.end };
    const stored = await windows.getOccurrence(windowId, slot.start);
    if (stored && stored.value.status !== 'scheduled' && stored.value.status !== 'approved')
      return stored.value;
    // Postponed from a reminder: the schedule fired at the original time; it fires again at the moved one.
    const runs = shiftedSlot(slot, stored?.value);
    if (runs.start !== slot.start && postponedTo !== runs.start) {
      rearm = false;
      await deps.scheduler.scheduleAt({
        name: windowScheduleName(windowId),
        at: runs.start,
        target: { kind: 'window', windowId, start: slot.start, postponedTo: runs.start },
      });
      return stored?.value;
    }
    const skip = async (reason: string) => {
      const skipped = await windows.moveOccurrence(at, 'skipped', { reason }, SYSTEM);
      await notifyOccurrence(deps.notifier, w, skipped);
      return skipped;
    };

    const approval = approvalAtFireTime(w);
    if (!approval.ok) return skip(approval.reason);
    for (const target of [...w.targets.clusters, ...w.targets.hosts]) {
      const busy = await deps.activeJobOn(target);
      if (busy) return skip(`job ${busy} is running on ${target}`);
    }
    if (!(await deps.agentOnline())) return skip('no relay agent online');

    const firstStart = slot.start;
    const previous = (await windows.listOccurrences(windowId)).filter((o) => o.start < firstStart).at(-1);
    const carried = previous?.status === 'partial' ? previous.hostsLeft : undefined;
    // Running first: a job that ends at once finds its occurrence running and settles it.
    await windows.moveOccurrence(at, 'running', carried ? { carriedHosts: carried } : {}, SYSTEM);
    const jobIds = await deps.startRollout({
      window: w,
      slot,
      deadline: runs.end,
      ...(runs.start !== slot.start ? { runStart: runs.start } : {}),
      ...(carried ? { hosts: carried } : {}),
    });
    if (jobIds.length > 0)
      await deps.scheduler.scheduleAt({
        name: windowEndScheduleName(windowId),
        at: scaledEnd(runs.start, runs.end, deps.timeScale),
        target: { kind: 'window-end', windowId, start: slot.start },
      });
    if (jobIds.length === 0) {
      const done = await windows.moveOccurrence(
        at,
        'completed',
        { reason: 'nothing left: the hosts the previous occurrence left are gone from inventory' },
        SYSTEM,
      );
      await notifyOccurrence(deps.notifier, w, done);
      return done;
    }
    const [jobId] = jobIds as [string, ...string[]];
    try {
      return await windows.moveOccurrence(at, 'running', { jobId, jobIds: [...jobIds] }, SYSTEM);
    } catch (err) {
      // A job that ended within moments already settled the occurrence.
      const settled = await windows.getOccurrence(windowId, slot.start);
      if (settled && settled.value.status !== 'running') return settled.value;
      throw err;
    }
  } finally {
    if (rearm) await armWindow(deps, w, slot);
  }
}

/**
 * On deploy and on `npm start`: every active window has its schedule armed for its next occurrence, and a
 * `window-…` schedule without an active window is deleted. `existing` are the schedule names the scheduler
 * holds now. Returns what changed.
 */
export async function reconcileWindowSchedules(
  deps: Pick<FiringDeps, 'store' | 'scheduler' | 'now'>,
  existing: readonly string[],
): Promise<{ armed: string[]; deleted: string[] }> {
  const windows = await createWindowStore(deps.store, deps.now).listWindows();
  const armed: string[] = [];
  const keep = new Set<string>();
  for (const w of windows) {
    if (await armWindow(deps, w)) {
      armed.push(w.windowId);
      keep.add(windowScheduleName(w.windowId));
    }
  }
  const deleted: string[] = [];
  // An occurrence's end and reminder schedules stay while their series does (each checks what it finds).
  const series = windows.map((w) => `${windowScheduleName(w.windowId)}-`);
  for (const name of existing) {
    if (name.startsWith('window-') && !keep.has(name) && !series.some((s) => name.startsWith(s))) {
      await deps.scheduler.cancel(name);
      deleted.push(name);
    }
  }
  return { armed, deleted };
}
