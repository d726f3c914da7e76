import type { Clock } from '@rackops/core/ports/clock.port';

/** A clock that runs with real time from a point a scenario moves it to (it never goes back). */
export interface DrivenClock extends Clock {
  /** Jump to `at` (later than now), and keep running from there. */
  advanceTo(at: Date | string): void;
}

/**
 * The local scheduler's clock in a scenario or test that must not race real time: "02:00 next Sunday" comes
 * when the scenario says so. Only the scheduler reads it; the rest of the stack (and the relay agent, whose
 * commands are signed with real times) keeps real time.
 */
export function createDrivenClock(): DrivenClock {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  return {
    now,
    advanceTo(at) {
      const target = typeof at === 'string' ? Date.parse(at) : at.getTime();
      if (Number.isNaN(target)) throw new RangeError(`not a time: ${String(at)}`);
      offsetMs = Math.max(offsetMs, target - Date.now());
    },
  };
}
