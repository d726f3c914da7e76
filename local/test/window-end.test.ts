import { WINDOW_END_REASON } from '@rackops/core/jobs/stop-reason';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioDriver } from '../src/scenarios/driver';
import type { DrivenClock } from '../src/scheduler/driven-clock';
import {
  WINDOW_CLUSTER,
  createApprovedWindow,
  startWindowScenario,
  windowEndDuring,
} from '../src/scenarios/window.scenario';
import { hostTags, labOf } from '../src/scenarios/lab-facts';

let d: ScenarioDriver;
let clock: DrivenClock;

beforeAll(async () => {
  ({ d, clock } = await startWindowScenario());
}, 120_000);
afterAll(async () => {
  await d?.close();
});

describe('a maintenance window ends mid-host (local engine, lab, the scheduler clock driven)', () => {
  it('during maintenance-mode entry: the host stops at the safe step like cancel-now, and is left for the next occurrence', async () => {
    const { id } = await createApprovedWindow(d);
    const f = await windowEndDuring(d, clock, id, 'enter-maintenance');
    const log = (await d.stack.store.listLog(f.job.id)).items.map((l) => l.message).slice(-20);
    expect(f.job.stopReason?.kind, log.join('\n')).toBe('window_end');
    // Not a cancel: the job completes, the occurrence is partial with every host left.
    expect(f.job.status).toBe('completed');
    expect(f.occurrence.status).toBe('partial');
    expect([...(f.occurrence.hostsLeft ?? [])].sort()).toEqual(hostTags(labOf(d.stack), WINDOW_CLUSTER));
    expect(f.hostPhase).toBe('not_started');
    expect(f.hostReason).toMatch(
      new RegExp(`^${WINDOW_END_REASON}.*stopped before flashing, out of maintenance`),
    );
    expect(f.flashSent).toBe(false);
    expect(f.hostsLeftInMaintenance).toBe(0);
    expect(f.vmsBackOn).toBe(true);
    expect(f.noHostStartedAfterEnd).toBe(true);
    await d.say(`window cancel ${id}`);
  }, 600_000);
});
