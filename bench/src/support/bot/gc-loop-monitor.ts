import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { round } from '../report';

/** GC pauses so far and the event loop's delay since the last reset, as the bot process reports them. */
export interface GcLoopStats {
  /** Every GC pause of the process so far, ms. */
  gcMs: number;
  /** Of which scavenges (young generation). */
  minorGcMs: number;
  gcCount: number;
  /** p99 / max of the loop's delay (sampled every 10 ms) since the last reset, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** The young generation's current size (both semi-spaces), MiB: shows what the heap flags let it grow to. */
  newSpaceMiB: number;
}

const ns = 1e6;

/**
 * Watches this process's GC and event loop. A burst's p99 latency is a percentile of ~150 samples on shared cores
 * and moves by 100 ms between runs of the same code; the GC time and the loop's delay in the bot process over the
 * same burst are what a heap setting changes, and they vary much less.
 */
export function startGcLoopMonitor(): { stats(): GcLoopStats; resetLoop(): void; stop(): void } {
  let gcMs = 0;
  let minorGcMs = 0;
  let gcCount = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
      // A gc entry's `detail.kind` (Node >= 16); the typings of this Node version leave `detail` out.
      const { detail } = entry as { detail?: { kind?: number } };
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return {
    stats() {
      const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      return {
        gcMs: round(gcMs),
        minorGcMs: round(minorGcMs),
        gcCount,
        loopDelayP99Ms: loop.count ? round(loop.percentile(99) / ns) : 0,
        loopDelayMaxMs: loop.count ? round(loop.max / ns) : 0,
        newSpaceMiB: round((newSpace?.space_size ?? 0) / 2 ** 20),
      };
    },
    resetLoop: () => loop.reset(),
    stop() {
      observer.disconnect();
      loop.disable();
    },
  };
}
