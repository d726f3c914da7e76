import type { JobStep } from '@rackops/core/jobs/job.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../../core/test/job-factory';
import { startTestStore, type TestStore } from '../helpers/dynalite-store';

let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(async () => {
  await t?.close();
});

const step = (jobId: string, status: JobStep['status'], key = 'host:ABC1234:power') => ({
  jobId,
  key,
  name: 'Power on',
  order: 101,
  status,
  hostId: 'ABC1234',
  ...(status === 'running' || status === 'pending' ? {} : { completedAt: new Date().toISOString() }),
});

async function statusOf(jobId: string, key = 'host:ABC1234:power') {
  return (await t.store.listSteps(jobId)).find((s) => s.key === key)?.status;
}

describe('security: step status order in the Store (dynalite)', () => {
  it.each(['completed', 'failed', 'skipped'] as const)(
    'a late running never overwrites %s',
    async (terminal) => {
      const { id } = await t.store.createJob(aJob());
      await t.store.putStep(step(id, 'running'));
      await t.store.putStep(step(id, terminal));
      const returned = await t.store.putStep(step(id, 'running'));
      expect(returned.status).toBe(terminal);
      expect(await statusOf(id)).toBe(terminal);
    },
  );

  it('a late pending never overwrites completed', async () => {
    const { id } = await t.store.createJob(aJob());
    await t.store.putStep(step(id, 'completed'));
    await t.store.putStep(step(id, 'pending'));
    expect(await statusOf(id)).toBe('completed');
  });

  it('completed and a late running written together: completed wins, every time', async () => {
    const { id } = await t.store.createJob(aJob());
    const keys = Array.from({ length: 20 }, (_, i) => `host:H${i}:power`);
    await Promise.all(keys.map((k) => t.store.putStep(step(id, 'running', k))));
    // The result and a stale dispatch race: several runnings around each completion.
    await Promise.all(
      keys.flatMap((k) => [
        t.store.putStep(step(id, 'running', k)),
        t.store.putStep(step(id, 'completed', k)),
        t.store.putStep(step(id, 'running', k)),
      ]),
    );
    await Promise.all(keys.map((k) => t.store.putStep(step(id, 'running', k))));
    const steps = await t.store.listSteps(id);
    expect(steps.map((s) => s.status)).toEqual(keys.map(() => 'completed'));
  });

  it('still moves forward: pending → running → completed, and failed → completed on a re-run', async () => {
    const { id } = await t.store.createJob(aJob());
    await t.store.putStep(step(id, 'pending'));
    expect(await statusOf(id)).toBe('pending');
    await t.store.putStep(step(id, 'running'));
    expect(await statusOf(id)).toBe('running');
    await t.store.putStep(step(id, 'failed'));
    await t.store.putStep(step(id, 'completed'));
    expect(await statusOf(id)).toBe('completed');
  });
});
