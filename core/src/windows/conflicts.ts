import { expandSlots, type SeriesSpec } from './recurrence';
import type { WindowRecord } from './window.schema';

/** How far ahead two series are compared: a year covers every monthly and yearly (leap-day) pattern. */
export const CONFLICT_HORIZON_DAYS = 400;

export interface WindowConflict {
  windowId: string;
  /** The shared cluster or host. */
  target: string;
  /** UTC starts of the two overlapping occurrences. */
  candidateStart: string;
  otherStart: string;
}

type Comparable = Pick<WindowRecord, 'windowId' | 'targets' | 'state'> & SeriesSpec;

/**
 * The first stored window that shares a cluster or host with the candidate and has an occurrence overlapping
 * one of the candidate's within the horizon; undefined when there is none. Cancelled windows never conflict.
 * Pure; two sorted slot lists are walked together, so a dense cron series stays linear.
 */
export function findConflict(
  candidate: Comparable,
  existing: readonly Comparable[],
  now: Date,
): WindowConflict | undefined {
  const mine = new Set([...candidate.targets.clusters, ...candidate.targets.hosts]);
  const to = new Date(now.getTime() + CONFLICT_HORIZON_DAYS * 86_400_000);
  let ours: ReturnType<typeof expandSlots> | undefined;
  for (const other of existing) {
    if (other.windowId === candidate.windowId || other.state === 'cancelled') continue;
    const shared = [...other.targets.clusters, ...other.targets.hosts].find((t) => mine.has(t));
    if (!shared) continue;
    // Start earlier by the other's length, so an occurrence already running at `now` is compared too.
    const from = new Date(
      now.getTime() - Math.max(candidate.durationMinutes, other.durationMinutes) * 60_000,
    );
    ours ??= expandSlots(candidate, from, to, 5000);
    const theirs = expandSlots(other, from, to, 5000);
    let i = 0;
    let j = 0;
    while (i < ours.length && j < theirs.length) {
      const a = ours[i];
      const b = theirs[j];
      if (!a || !b) break;
      if (a.start < b.end && b.start < a.end) {
        return { windowId: other.windowId, target: shared, candidateStart: a.start, otherStart: b.start };
      }
      if (a.end <= b.end) i++;
      else j++;
    }
  }
  return undefined;
}
