import { LabClock } from '../clock';
import { DEFAULT_LAB } from '../config/default-lab';
import { type LabConfig, type LabConfigInput, parseLabConfig } from '../config/lab-config.schema';
import { FaultRegistry } from '../faults/fault-registry';
import { loadCapture } from '../idrac/capture';
import { componentTemplates } from './firmware';
import { World } from './world';

/**
 * A world without any server: for code that needs the lab's model only (the catalog, inventory
 * benchmarks, unit tests). Call `world.stop()` when done (it owns the clock's timers).
 */
export function createWorld(
  config: LabConfigInput | LabConfig = DEFAULT_LAB,
  opts: { timeScale?: number; seed?: number } = {},
): World {
  const cfg = parseLabConfig({
    ...config,
    ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const capture = loadCapture();
  return new World(cfg, {
    clock: new LabClock(cfg.timeScale),
    faults: new FaultRegistry(cfg.seed),
    capture,
    components: componentTemplates(capture),
  });
}
