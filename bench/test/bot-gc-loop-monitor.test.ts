import { describe, expect, it } from 'vitest';
import { startGcLoopMonitor } from '../src/support/bot/gc-loop-monitor';

describe('the GC and event-loop monitor', () => {
  it('counts GC pauses and sees a blocked loop, until reset', async () => {
    const monitor = startGcLoopMonitor();
    try {
      let garbage: unknown[] = [];
      for (let i = 0; i < 3e5; i++) garbage.push({ i, s: `x${i}` });
      garbage = [];
      // The histogram's first timer tick only starts its clock.
      await new Promise((r) => setTimeout(r, 40));
      const until = performance.now() + 120;
      while (performance.now() < until) {
        // Blocks the loop for 120 ms, as a long synchronous stretch in a turn would.
      }
      await new Promise((r) => setTimeout(r, 50));
      const s = monitor.stats();
      expect(garbage).toHaveLength(0);
      expect(s.gcCount).toBeGreaterThan(0);
      expect(s.gcMs).toBeGreaterThan(0);
      expect(s.minorGcMs).toBeLessThanOrEqual(s.gcMs);
      expect(s.loopDelayMaxMs).toBeGreaterThan(80);
      expect(s.newSpaceMiB).toBeGreaterThan(0);
      monitor.resetLoop();
      await new Promise((r) => setTimeout(r, 60));
      expect(monitor.stats().loopDelayMaxMs).toBeLessThan(80);
    } finally {
      monitor.stop();
    }
  });
});
