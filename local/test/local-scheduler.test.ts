import type { ScheduleTarget } from '@rackops/core/ports/scheduler.port';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalScheduler,
  SCHEDULE_RECORD_TYPE,
  createLocalScheduler,
} from '../src/scheduler/local-scheduler';
import { type TestStore, startTestStore } from './helpers/test-store';

let t: TestStore;
const schedulers: LocalScheduler[] = [];
beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
});
afterAll(async () => {
  await t.close();
});

function scheduler(fired: ScheduleTarget[], fail = false): LocalScheduler {
  const s = createLocalScheduler({
    store: t.store,
    tickMs: 20,
    fire: async (target) => {
      if (fail) throw new Error('claim failed');
      fired.push(target);
    },
  });
  schedulers.push(s);
  return s;
}

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('local scheduler', () => {
  it('fires a one-shot schedule once, at its time, then forgets it', async () => {
    const fired: ScheduleTarget[] = [];
    const s = scheduler(fired);
    const at = Date.now() + 150;
    await s.scheduleAt({
      name: 'job-a',
      at: new Date(at).toISOString(),
      target: { kind: 'job', jobId: 'a' },
    });
    s.start();
    await expect.poll(() => fired.length, { timeout: 3000 }).toBe(1);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    expect(fired[0]).toEqual({ kind: 'job', jobId: 'a' });
    await expect.poll(async () => t.store.getRecord(SCHEDULE_RECORD_TYPE, 'job-a')).toBeUndefined();
    await s.tick();
    expect(fired).toHaveLength(1);
  });

  it('a one-shot whose target re-arms it while firing (a window arming its next occurrence) stays armed', async () => {
    const fired: ScheduleTarget[] = [];
    const later = soon(60_000);
    const s: LocalScheduler = createLocalScheduler({
      store: t.store,
      tickMs: 20,
      fire: async (target) => {
        fired.push(target);
        await s.scheduleAt({ name: 'window-r', at: later, target });
      },
    });
    schedulers.push(s);
    await s.scheduleAt({ name: 'window-r', at: soon(20), target: { kind: 'window', windowId: 'r' } });
    await new Promise((r) => setTimeout(r, 40));
    await s.tick();
    expect(fired).toHaveLength(1);
    expect((await t.store.getRecord<{ next: string }>(SCHEDULE_RECORD_TYPE, 'window-r'))?.data.next).toBe(
      later,
    );
  });

  it('a cancelled schedule never fires; scheduling the same name again replaces it', async () => {
    const fired: ScheduleTarget[] = [];
    const s = scheduler(fired);
    await s.scheduleAt({ name: 'job-b', at: soon(50), target: { kind: 'job', jobId: 'b1' } });
    await s.scheduleAt({ name: 'job-b', at: soon(50), target: { kind: 'job', jobId: 'b2' } });
    await s.scheduleAt({ name: 'job-c', at: soon(50), target: { kind: 'job', jobId: 'c' } });
    await s.cancel('job-c');
    await new Promise((r) => setTimeout(r, 80));
    await s.tick();
    expect(fired).toEqual([{ kind: 'job', jobId: 'b2' }]);
  });

  it('survives a restart: a schedule that came due while nothing ran fires when a new scheduler starts', async () => {
    const before: ScheduleTarget[] = [];
    const first = scheduler(before);
    await first.scheduleAt({ name: 'job-d', at: soon(30), target: { kind: 'job', jobId: 'd' } });
    await first.stop(); // never started: the stack was down when it came due
    await new Promise((r) => setTimeout(r, 60));

    const after: ScheduleTarget[] = [];
    const second = scheduler(after);
    second.start();
    await expect.poll(() => after, { timeout: 3000 }).toEqual([{ kind: 'job', jobId: 'd' }]);
    expect(before).toEqual([]);
  });

  it('moves a recurring schedule on after it fires', async () => {
    const fired: ScheduleTarget[] = [];
    const s = createLocalScheduler({
      store: t.store,
      fire: async (target) => {
        fired.push(target);
      },
      intervalScale: 1 / 60_000, // one minute = 1 ms
    });
    schedulers.push(s);
    await s.scheduleEvery({
      name: 'sync-ome',
      everyMinutes: 30,
      target: { kind: 'inventory-sync', source: 'ome', sourceId: 'ome-1' },
    });
    await new Promise((r) => setTimeout(r, 40));
    await s.tick();
    expect(fired).toHaveLength(1);
    const rec = await t.store.getRecord<{ next: string }>(SCHEDULE_RECORD_TYPE, 'sync-ome');
    expect(rec?.data.next && rec.data.next > new Date(Date.now() - 1000).toISOString()).toBe(true);
    await s.cancel('sync-ome');
  });

  it('retries a target that fails, a few times, then gives up', async () => {
    const s = scheduler([], true);
    await s.scheduleAt({ name: 'job-e', at: soon(0), target: { kind: 'job', jobId: 'e' } });
    await new Promise((r) => setTimeout(r, 10));
    await s.tick();
    const rec = await t.store.getRecord<{ attempts: number; next: string }>(SCHEDULE_RECORD_TYPE, 'job-e');
    expect(rec?.data.attempts).toBe(1);
    expect(rec?.data.next && rec.data.next > new Date().toISOString()).toBe(true);
    await s.cancel('job-e');
  });
});
