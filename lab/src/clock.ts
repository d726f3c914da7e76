/**
 * The lab's single time scale. Every simulated duration is written in REAL milliseconds
 * (a reboot takes minutes) and passes through `scaled()`: 1/60 in the demo, far smaller in
 * tests. Timers are tracked so `dispose()` (lab.stop()) leaves nothing running.
 */
export class LabClock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(readonly timeScale: number) {
    if (!(timeScale > 0 && timeScale <= 1))
      throw new RangeError(`timeScale must be in (0, 1], got ${timeScale}`);
  }

  /** Real duration -> lab duration in ms (never below 1 ms, so ordering of steps is kept). */
  scaled(realMs: number): number {
    return scaled(realMs, this.timeScale);
  }

  /** Run `fn` after a REAL duration, scaled. Returns a cancel function. */
  after(realMs: number, fn: () => void): () => void {
    if (this.disposed) return () => {};
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.scaled(realMs));
    t.unref?.();
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  /** Resolves after a REAL duration, scaled. */
  sleep(realMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.after(realMs, resolve);
    });
  }

  now(): Date {
    return new Date();
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export function scaled(realMs: number, timeScale: number): number {
  return Math.max(1, Math.round(realMs * timeScale));
}

/** Real-world durations the lab simulates (ms). One table so the demo and tests agree on proportions. */
export const DURATIONS = {
  /** ESXi graceful shutdown after a GracefulRestart/GracefulShutdown. */
  gracefulShutdown: 60_000,
  /** Power-on self test plus Lifecycle Controller, before any staged update runs. */
  post: 120_000,
  /** Applying one staged firmware job during POST. */
  firmwareApply: 90_000,
  /** ESXi boot until the host services answer. */
  esxiBoot: 180_000,
  /** vCenter noticing the host again after ESXi is up. */
  vcenterReconnect: 30_000,
  /** The iDRAC rebooting itself after its own firmware update. */
  idracReset: 180_000,
  /** The iDRAC downloading an update package. */
  jobDownload: 20_000,
  /** Applying an update that needs no host reboot (iDRAC, drivers pack...). */
  jobImmediateRun: 60_000,
  /** Export of a Server Configuration Profile. */
  scpExport: 30_000,
  /** Import of a Server Configuration Profile, before any reboot it needs. */
  scpImport: 45_000,
} as const;
