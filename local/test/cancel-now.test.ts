import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelNowDuring } from '../src/scenarios/cancel-now.scenario';
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
    const f = await cancelNowDuring(d, 'enter-maintenance');
    const log = (await d.stack.store.listLog(f.job.id)).items.map((l) => l.message).slice(-20);
    expect(f.job.status, log.join('\n')).toBe('cancelled');
    expect(f.botReply).toContain('Cancel (immediate) requested');
    expect(f.hostPhase).toBe('not_started');
    expect(f.job.summary).toMatch(/stopped before flashing, out of maintenance/);
    expect(f.flashInterrupted).toBe(false);
    expect(f.hostsLeftInMaintenance).toBe(0);
    expect(f.vmsBackOn).toBe(true);
    expect(f.unstaged).toBe(true);
    expect(f.job.summary).toMatch(/cancel/i);
  }, 600_000);

  it('during a host’s flash: that host finishes the step and comes back into service, no other host starts', async () => {
    const f = await cancelNowDuring(d, 'apply-and-reboot');
    const log = (await d.stack.store.listLog(f.job.id)).items.map((l) => l.message).slice(-20);
    expect(f.job.status, log.join('\n')).toBe('cancelled');
    expect(f.hostPhase).toBe('updated');
    expect(f.hostsLeftInMaintenance).toBe(0);
    expect(f.vmsBackOn).toBe(true);
    const hosts = await d.stack.store.listJobItems<{ hostId: string; phase: string }>(f.job.id, 'host');
    expect(hosts.filter((h) => h.data.phase === 'updated').map((h) => h.data.hostId)).toEqual([f.host]);
  }, 600_000);
});
