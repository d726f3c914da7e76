export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/**
 * Real elapsed time and waiting, for bounded polls and retry backoff. Not the Clock: the local stack's clock
 * may be a lab or scenario clock (scaled, or moved by the scenario), while a wait for a message runs in real time.
 */
export interface Timer {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}
export const systemTimer: Timer = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
