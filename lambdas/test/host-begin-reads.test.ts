import type { Store } from '@rackops/core/ports/store.port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { createJobOpsHandler } from '../src/handlers/job-ops.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

/**
 * host-begin's first look reads the job's hosts and in-service updates beside the job record (one round of reads
 * before it decides, not two in a row): each slot of a rollout turns over one Store round trip sooner.
 */
let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(async () => {
  await t?.close();
});

/** The real Store, every call slowed to `ms` and logged with when it started and ended. */
function timedStore(store: Store, ms: number) {
  const calls: { method: string; kind?: unknown; start: number; end: number }[] = [];
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const start = performance.now();
        await new Promise((r) => setTimeout(r, ms));
        const out = await value.apply(target, args);
        calls.push({ method: String(prop), kind: args[1], start, end: performance.now() });
        return out;
      };
    },
  });
  return { store: proxy, calls };
}

describe('host-begin', () => {
  it("reads the job's hosts and in-service updates beside the job record, then starts the host", async () => {
    const job = await t.store.createJob(aJob({ target: { kind: 'cluster', id: 'c1' } }));
    await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, job.createdAt);
    const slow = timedStore(t.store, 40);
    const jobOps = createJobOpsHandler({ store: slow.store, notifier: { notify: async () => {} } });
    const host = { hostId: 'TAG0001', packages: [], expected: [], wave: 0, waveSize: 1 };
    const out = await jobOps({ op: 'host-begin', jobId: job.id, state: { jobId: job.id, host } });
    expect(out).toMatchObject({ go: true, wait: false });
    const getJob = slow.calls.find((c) => c.method === 'getJob');
    const lists = slow.calls.filter((c) => c.method === 'listJobItems');
    expect(getJob).toBeDefined();
    expect(lists.map((c) => c.kind).sort()).toEqual(['apply-now', 'host']);
    // Both lists started before the job record came back: the same round.
    for (const l of lists) expect(l.start).toBeLessThan(getJob!.end);
    // And the host was started as before.
    expect(await t.store.getJobItem(job.id, 'host', 'TAG0001')).toMatchObject({ phase: 'in_progress' });
  });

  it("answers its task before the job's batch for the card is written, and has written it when it returns", async () => {
    const job = await t.store.createJob(aJob({ target: { kind: 'cluster', id: 'c1' } }));
    await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, job.createdAt);
    const { store, calls } = timedStore(t.store, 5);
    // The job record's writer is slow (k hosts of a wave write it at once: a versioned write, retried).
    const slowJob = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'updateJob') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<typeof store.updateJob>) => {
          await new Promise((r) => setTimeout(r, 300));
          return target.updateJob(...args);
        };
      },
    });
    let answeredAt = 0;
    const jobOps = createJobOpsHandler({
      store: slowJob,
      notifier: { notify: async () => {} },
      tasks: {
        sendTaskSuccess: async () => {
          answeredAt = performance.now();
        },
        sendTaskFailure: async () => {},
      },
    });
    const host = { hostId: 'TAG0002', packages: [], expected: [], wave: 0, waveSize: 1 };
    const started = performance.now();
    await jobOps({ op: 'host-begin', jobId: job.id, taskToken: 'tok', state: { jobId: job.id, host } });
    const returnedAt = performance.now();
    expect(answeredAt - started).toBeGreaterThan(0);
    expect(answeredAt - started).toBeLessThan(250);
    expect(returnedAt - started).toBeGreaterThanOrEqual(300);
    expect((await t.store.getJob(job.id))?.details).toMatchObject({ phase: 'updating', batch: 1 });
    expect(calls.some((c) => c.method === 'putStep')).toBe(true);
  });
});
