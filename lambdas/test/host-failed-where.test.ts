import { systemClock } from '@rackops/core/ports/clock.port';
import type { OpsDeps } from '@rackops/core/workflows/ops/ops-deps';
import { getHost, putStep } from '@rackops/core/workflows/ops/progress';
import { runJobOp } from '@rackops/core/workflows/ops/run-op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

const host = { hostId: 'LABA001', name: 'esx-01', packages: [], expected: [], wave: 0, waveSize: 1 };
const mismatch = {
  ok: false,
  mismatches: [{ componentId: 'BIOS', expected: '2.19.1', installed: '2.18.0' }],
};

/**
 * Where the report says a failed host is when no probe answered: after a verification failure the workflow
 * knows (it keeps an unverified host in maintenance mode), whatever step records the relay results left.
 */
describe('host-failed after a firmware verification failure', () => {
  let t: TestStore;
  let deps: OpsDeps;
  beforeAll(async () => {
    t = await startTestStore();
    deps = { store: t.store, clock: systemClock, notifier: { notify: async () => {} } };
  });
  afterAll(async () => t?.close());

  async function failVerify(maintenance: boolean, steps: readonly string[]) {
    const job = await t.store.createJob(aJob());
    await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, job.createdAt);
    for (const what of steps)
      await putStep(deps, job.id, {
        key: `host:LABA001:${what}`,
        hostId: 'LABA001',
        name: what,
        status: 'completed',
      });
    await runJobOp(deps, {
      op: 'host-failed',
      jobId: job.id,
      state: { jobId: job.id, host, begin: { v: { go: true, maintenance } }, verify: { v: mismatch } },
    });
    const item = await getHost(deps, job.id, 'LABA001');
    return { where: item?.where ?? '', state: item?.state ?? '' };
  }

  it('says in maintenance mode even when the maintenance step was never recorded', async () => {
    // A relay result whose command record was gone writes no step: the records are display, not truth.
    const { where, state } = await failVerify(true, ['apply-and-reboot']);
    expect(where).toMatch(/^in maintenance mode/);
    expect(state).not.toContain('not taken out of service');
    expect(state).toContain(
      'firmware verification failed (BIOS: expected 2.19.1, found 2.18.0); left in maintenance mode',
    );
  });

  it('says in maintenance mode with the steps recorded too', async () => {
    const { where } = await failVerify(true, ['enter-maintenance', 'apply-and-reboot']);
    expect(where).toMatch(/^in maintenance mode/);
  });

  it('does not claim maintenance mode for a host updated without it', async () => {
    const { where, state } = await failVerify(false, ['apply-and-reboot']);
    expect(where).toContain('not in maintenance mode');
    expect(state).not.toContain('left in maintenance mode');
  });
});
