import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startScenario } from '../src/scenarios/driver';
import { isDone, startUpdatePastBlockers } from '../src/scenarios/lab-facts';

/**
 * What `npm start` prints on the console while a normal rollout runs: nothing. Its logger prints warn and above
 * (LOG_LEVEL unset), so routine races — a progress handled alongside its own result, many per rollout at the
 * demo's time scale — must not log there.
 */
describe("a normal rollout on the lab leaves the operator's console quiet", () => {
  it('update cluster lab-a, through the blockers, to completed: no line at the default level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn', name: 'rackops' }, { write: (l: string) => void lines.push(l) });
    const d = await startScenario({ logger, timeScale: 1 / 60 });
    try {
      await startUpdatePastBlockers(d, 'update cluster lab-a');
      const job = await d.waitForJob('rolling_cluster_update', isDone, 300_000);
      expect(job.status).toBe('completed');
    } finally {
      await d.close();
    }
    expect(lines).toEqual([]);
  }, 400_000);
});
