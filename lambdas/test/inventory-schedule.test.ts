import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleTarget } from '@rackops/core/ports/scheduler.port';
import { ValidationError } from '@rackops/core/util/errors';
import { createLocalScheduler, type LocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { setupInventorySchedules } from '../src/handlers/inventory-schedule.handler';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

let t: TestStore;
let scheduler: LocalScheduler;
let now = new Date('2026-11-28T10:00:00Z');
const fired: ScheduleTarget[] = [];

beforeAll(async () => {
  t = await startTestStore();
  scheduler = createLocalScheduler({
    store: t.store,
    clock: { now: () => now },
    fire: async (target) => {
      fired.push(target);
    },
  });
});
afterAll(async () => {
  await scheduler.stop();
  await t.close();
});

const advance = (minutes: number) => {
  now = new Date(now.getTime() + minutes * 60_000);
};

describe('scheduled inventory syncs', () => {
  it('fires one sync per configured source at the configured interval, and setup is repeatable', async () => {
    const names = await setupInventorySchedules(scheduler, {
      everyMinutes: 30,
      vcenters: ['vc-a'],
      omes: ['ome-1'],
    });
    expect(names).toEqual(['inventory-sync-vcenter-vc-a', 'inventory-sync-ome-ome-1']);
    await setupInventorySchedules(scheduler, { everyMinutes: 30, vcenters: ['vc-a'], omes: ['ome-1'] });

    advance(29);
    await scheduler.tick();
    expect(fired).toEqual([]);
    advance(1);
    await scheduler.tick();
    expect(fired).toEqual(
      expect.arrayContaining([
        { kind: 'inventory-sync', source: 'vcenter', sourceId: 'vc-a' },
        { kind: 'inventory-sync', source: 'ome', sourceId: 'ome-1' },
      ]),
    );
    expect(fired).toHaveLength(2);
    advance(30);
    await scheduler.tick();
    expect(fired).toHaveLength(4);
  });

  it('refuses an interval that would hammer the devices', async () => {
    await expect(
      setupInventorySchedules(scheduler, { everyMinutes: 1, vcenters: ['vc-a'] }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
