import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelNowDuringMaintenance } from '../src/scenarios/cancel-now.scenario';
import { type ScenarioDriver, startScenario } from '../src/scenarios/driver';

let d: ScenarioDriver;

beforeAll(async () => {
  d = await startScenario();
}, 120_000);
afterAll(async () => {
  await d?.close();
});

describe('cancel now on the local engine and the lab', () => {
  it('during a host’s maintenance-mode entry: job cancelled, host out of maintenance, VMs on, staged jobs cleared, counted untouched', async () => {
    const f = await cancelNowDuringMaintenance(d);
    const log = (await d.stack.store.listLog(f.job.id)).items.map((l) => l.message).slice(-20);
    expect(f.job.status, log.join('\n')).toBe('cancelled');
    expect(f.botReply).toContain('Cancel (immediate) requested');
    expect(f.hostPhase).toBe('not_started');
    expect(f.flashInterrupted).toBe(false);
    expect(f.hostsLeftInMaintenance).toBe(0);
    expect(f.vmsBackOn).toBe(true);
    expect(f.unstaged).toBe(true);
    expect(f.job.summary).toMatch(/cancel/i);
  }, 600_000);
});
