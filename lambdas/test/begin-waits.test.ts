import { systemClock } from '@rackops/core/ports/clock.port';
import {
  type BeginAnswer,
  type Decide,
  PASS_OVER,
  beginWithToken,
  wakeWaiters,
} from '@rackops/core/workflows/ops/begin-waits';
import type { OpsDeps } from '@rackops/core/workflows/ops/ops-deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

/**
 * The parked begins of a host's window and its in-service update (core/src/workflows/ops/begin-waits.ts) on the
 * real Store: answered through their token once, woken by what frees them, and no wake-up lost to a look that
 * ran at the same time.
 */
let t: TestStore;
const answers: { token: string; ok: boolean; out: unknown }[] = [];
const causes: string[] = [];
let deps: OpsDeps;
beforeAll(async () => {
  t = await startTestStore();
  deps = {
    store: t.store,
    notifier: { notify: async () => {} },
    clock: systemClock,
    tasks: {
      sendTaskSuccess: async (token, out) => void answers.push({ token, ok: true, out }),
      sendTaskFailure: async (token, error, cause) => {
        answers.push({ token, ok: false, out: error });
        causes.push(cause);
      },
    },
  };
});
afterAll(async () => {
  await t?.close();
});

const GO: BeginAnswer = { go: true, wait: false };
const WAIT: BeginAnswer = { go: false, wait: true };
const PASS: BeginAnswer = { go: false, wait: false };
const waiting = async (jobId: string) =>
  (await t.store.listRecordsByParent<{ status: string }>('begin-wait', jobId)).items.map(
    (r) => r.data.status,
  );

describe('begins that wait for a wake-up', () => {
  it('answers at once when it can decide; otherwise parks the token until an op wakes it', async () => {
    const job = await t.store.createJob(aJob());
    const first = answers.length;
    await beginWithToken(
      deps,
      job,
      { op: 'host-begin', hostId: 'H1', token: 'tok-go', state: {} },
      async () => GO,
    );
    await beginWithToken(
      deps,
      job,
      { op: 'host-begin', hostId: 'H2', token: 'tok-pass', state: {} },
      async () => PASS,
    );
    expect(answers.slice(first)).toEqual([
      { token: 'tok-go', ok: true, out: { v: GO } },
      { token: 'tok-pass', ok: false, out: PASS_OVER },
    ]);
    expect(await waiting(job.id)).toEqual([]);
    // Go by a detour (VMs to power off first): the answer rides in the failure's cause, parsed back by the ASL.
    const detour = { go: true, wait: false, route: 'PowerOffVmsFirst', powerOff: [{ vmId: 'vm-1' }] };
    await beginWithToken(
      deps,
      job,
      { op: 'host-begin', hostId: 'H4', token: 'tok-vms', state: {} },
      async () => detour,
    );
    const last = answers.pop();
    expect(last).toEqual({ token: 'tok-vms', ok: false, out: 'PowerOffVmsFirst' });
    expect(causes.pop()).toEqual(JSON.stringify(detour));

    let free = false;
    const decide: Decide = async () => (free ? GO : WAIT);
    await beginWithToken(
      deps,
      job,
      { op: 'apply-now-begin', hostId: 'H3', token: 'tok-wait', state: {} },
      decide,
    );
    expect(answers).toHaveLength(first + 2);
    expect(await waiting(job.id)).toEqual(['waiting']);
    // A wake-up that changes nothing leaves it parked.
    await wakeWaiters(deps, job.id, { 'host-begin': decide, 'apply-now-begin': decide });
    expect(answers).toHaveLength(first + 2);
    free = true;
    await wakeWaiters(deps, job.id, { 'host-begin': decide, 'apply-now-begin': decide });
    expect(answers.slice(first + 2)).toEqual([{ token: 'tok-wait', ok: true, out: { v: GO } }]);
    expect(await waiting(job.id)).toEqual([]);
  });

  it('a wake-up while a look runs is not lost: the look is taken again before the token is parked', async () => {
    const job = await t.store.createJob(aJob());
    const first = answers.length;
    let free = false;
    let looks = 0;
    const decide: Decide = async () => {
      const seen = free;
      looks += 1;
      if (looks === 2) {
        // What it waits for is freed right after this look read it, and the freeing op wakes the waiters.
        free = true;
        await wakeWaiters(deps, job.id, { 'host-begin': decide, 'apply-now-begin': decide });
      }
      return seen ? GO : WAIT;
    };
    await beginWithToken(deps, job, { op: 'host-begin', hostId: 'H1', token: 'tok-race', state: {} }, decide);
    expect(answers.slice(first)).toEqual([{ token: 'tok-race', ok: true, out: { v: GO } }]);
    expect(looks).toBe(3);
    expect(await waiting(job.id)).toEqual([]);
  });

  it('a token the engine no longer waits for is dropped quietly; other errors are not', async () => {
    const job = await t.store.createJob(aJob());
    const gone = Object.assign(new Error('gone'), { name: 'TaskTimedOut' });
    const failing = (err: Error): OpsDeps => ({
      ...deps,
      tasks: {
        sendTaskSuccess: async () => {
          throw err;
        },
        sendTaskFailure: async () => {
          throw err;
        },
      },
    });
    const w = { op: 'host-begin' as const, hostId: 'H1', token: 'tok-old', state: {} };
    await expect(beginWithToken(failing(gone), job, w, async () => GO)).resolves.toEqual(GO);
    await expect(beginWithToken(failing(new Error('throttled')), job, w, async () => GO)).rejects.toThrow(
      'throttled',
    );
  });
});
