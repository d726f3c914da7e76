import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Scheduler, ScheduleTarget } from '@rackops/core/ports/scheduler.port';
import {
  armWindow,
  type FiringDeps,
  fireWindow,
  reconcileWindowSchedules,
  windowEndScheduleName,
  windowScheduleName,
} from '@rackops/core/windows/window-firing';
import { SYSTEM } from '@rackops/core/jobs/job.schema';
import { stopReasonOf } from '@rackops/core/jobs/stop-reason';
import { settleOccurrence } from '@rackops/core/windows/occurrence-settle';
import { endOccurrence } from '@rackops/core/windows/window-end';
import { postponeOccurrence } from '@rackops/core/windows/window-reminders';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { bob, makeWindow } from '../../core/test/windows/window-factory';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

/** The Scheduler port over a map: what the local scheduler and EventBridge hold, without the timer. */
class MapScheduler implements Scheduler {
  readonly schedules = new Map<string, { at: string; target: ScheduleTarget }>();
  async scheduleAt(req: { name: string; at: string; target: ScheduleTarget }) {
    this.schedules.set(req.name, { at: req.at, target: req.target });
  }
  async scheduleEvery() {}
  async cancel(name: string) {
    this.schedules.delete(name);
  }
}

let t: TestStore;
let now: Date;
let scheduler: MapScheduler;
let started: { windowId: string; deadline: string; hosts?: readonly string[] }[];
let busy: Record<string, string>;
let agent: boolean;
let deps: FiringDeps;

beforeAll(async () => {
  t = await startTestStore();
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  now = new Date('2026-12-06T01:00:20Z'); // 20 s after a Sunday 02:00 Berlin start
  scheduler = new MapScheduler();
  started = [];
  busy = {};
  agent = true;
  deps = {
    store: t.store,
    scheduler,
    now: () => now,
    activeJobOn: async (id) => busy[id],
    agentOnline: async () => agent,
    startRollout: async ({ window, deadline, hosts }) => {
      started.push({ windowId: window.windowId, deadline, ...(hosts ? { hosts } : {}) });
      return [`JOB-${started.length}`];
    },
  };
});
const windows = () => createWindowStore(t.store, () => now);

describe('window firing', () => {
  it('an approved one-shot fires on time: rollout started with the window end as deadline, then no schedule left', async () => {
    const w = makeWindow({
      windowId: 'F-ONCE',
      recurrence: { kind: 'once' },
      startDate: '2026-12-06',
      approval: 'approved',
      approvedBy: bob,
    });
    await windows().createWindow(w);
    now = new Date('2026-12-05T12:00:00Z');
    await armWindow(deps, w);
    expect(scheduler.schedules.get('window-F-ONCE')).toEqual({
      at: '2026-12-06T01:00:00.000Z',
      target: { kind: 'window', windowId: 'F-ONCE', start: '2026-12-06T01:00:00.000Z' },
    });
    now = new Date('2026-12-06T01:00:20Z');
    const o = await fireWindow(deps, 'F-ONCE');
    expect(o).toMatchObject({ status: 'running', jobId: 'JOB-1' });
    expect(started).toEqual([{ windowId: 'F-ONCE', deadline: '2026-12-06T05:00:00.000Z' }]);
    expect(scheduler.schedules.has('window-F-ONCE')).toBe(false);
    // Its end is a schedule of its own: it puts the window_end stop reason on the occurrence's jobs.
    expect(scheduler.schedules.get(windowEndScheduleName('F-ONCE'))).toEqual({
      at: '2026-12-06T05:00:00.000Z',
      target: { kind: 'window-end', windowId: 'F-ONCE', start: '2026-12-06T01:00:00.000Z' },
    });
    // A second delivery of the same firing starts nothing more.
    await fireWindow(deps, 'F-ONCE');
    expect(started).toHaveLength(1);
  });

  it('an unapproved production window does not run and says why; the series stays armed', async () => {
    await windows().createWindow(makeWindow({ windowId: 'F-PEND' }));
    const o = await fireWindow(deps, 'F-PEND');
    expect(o).toMatchObject({
      status: 'skipped',
      reason: 'production window not approved by a second person',
    });
    expect(started).toEqual([]);
    expect(scheduler.schedules.get('window-F-PEND')?.at).toBe('2026-12-13T01:00:00.000Z');
  });

  it('another job on the cluster, or no agent: skipped with the reason, not queued', async () => {
    await windows().createWindow(
      makeWindow({ windowId: 'F-BUSY', targets: { clusters: ['c-busy'], hosts: [] }, production: false }),
    );
    busy['c-busy'] = 'JOB-OTHER';
    expect(await fireWindow(deps, 'F-BUSY')).toMatchObject({
      status: 'skipped',
      reason: 'job JOB-OTHER is running on c-busy',
    });
    await windows().createWindow(
      makeWindow({ windowId: 'F-AGENT', targets: { clusters: ['c-agent'], hosts: [] }, production: false }),
    );
    agent = false;
    expect(await fireWindow(deps, 'F-AGENT')).toMatchObject({
      status: 'skipped',
      reason: 'no relay agent online',
    });
    expect(started).toEqual([]);
  });

  it('the occurrence after a partial one continues with exactly the hosts left', async () => {
    await windows().createWindow(
      makeWindow({
        windowId: 'F-PART',
        targets: { clusters: ['c-part'], hosts: [] },
        approval: 'approved',
        approvedBy: bob,
      }),
    );
    await fireWindow(deps, 'F-PART');
    await windows().moveOccurrence(
      { windowId: 'F-PART', start: '2026-12-06T01:00:00.000Z', end: '2026-12-06T05:00:00.000Z' },
      'partial',
      { hostsLeft: ['PROD003', 'PROD004'] },
    );
    now = new Date('2026-12-13T01:00:05Z');
    const o = await fireWindow(deps, 'F-PART');
    expect(started.at(-1)).toEqual({
      windowId: 'F-PART',
      deadline: '2026-12-13T05:00:00.000Z',
      hosts: ['PROD003', 'PROD004'],
    });
    expect(o).toMatchObject({ status: 'running', carriedHosts: ['PROD003', 'PROD004'] });
  });

  it('a skipped occurrence does not run when its schedule fires', async () => {
    await windows().createWindow(
      makeWindow({ windowId: 'F-SKIP', targets: { clusters: ['c-skip'], hosts: [] }, production: false }),
    );
    await windows().moveOccurrence(
      { windowId: 'F-SKIP', start: '2026-12-06T01:00:00.000Z', end: '2026-12-06T05:00:00.000Z' },
      'skipped',
      { reason: 'skipped by Bob' },
    );
    expect(await fireWindow(deps, 'F-SKIP')).toMatchObject({ status: 'skipped', reason: 'skipped by Bob' });
    expect(started).toEqual([]);
  });

  it('the occurrence a schedule was armed for fires even when the clock reads earlier, and the next one is armed after it', async () => {
    await windows().createWindow(
      makeWindow({ windowId: 'F-ARMED', targets: { clusters: ['c-armed'], hosts: [] }, production: false }),
    );
    now = new Date('2026-12-10T09:00:00Z'); // a Thursday: the armed Sunday slot is days away on this clock
    const o = await fireWindow(deps, 'F-ARMED', '2026-12-13T01:00:00.000Z');
    expect(o).toMatchObject({ status: 'running', start: '2026-12-13T01:00:00.000Z' });
    expect(scheduler.schedules.get('window-F-ARMED')?.at).toBe('2026-12-20T01:00:00.000Z');
    // A start that is not one of the series' slots (the series was edited) falls back to the clock: none now.
    expect(await fireWindow(deps, 'F-ARMED', '2026-12-14T01:00:00.000Z')).toBeUndefined();
    expect(started).toHaveLength(1);
  });

  it("an occurrence's end puts the window_end stop reason on its jobs still going, once; other jobs are left alone", async () => {
    const mk = async (id: string, status: 'running' | 'completed') => {
      await t.store.createJob({
        id,
        type: 'rolling_cluster_update',
        target: { kind: 'cluster', id: 'c-end' },
        params: {},
        details: {},
        createdBy: SYSTEM,
        createdAt: now.toISOString(),
        scheduleAt: now.toISOString(),
        requiresApproval: false,
      });
      await t.store.transitionJob(id, { type: 'start', actor: SYSTEM });
      if (status === 'completed') await t.store.transitionJob(id, { type: 'complete', actor: SYSTEM });
    };
    await mk('JOB-END-1', 'running');
    await mk('JOB-END-2', 'completed');
    const slot = { windowId: 'F-END', start: '2026-12-06T01:00:00.000Z', end: '2026-12-06T05:00:00.000Z' };
    expect(await endOccurrence(deps, 'F-END', slot.start)).toEqual([]); // no occurrence running
    await windows().moveOccurrence(slot, 'running', {
      jobId: 'JOB-END-1',
      jobIds: ['JOB-END-1', 'JOB-END-2'],
    });
    now = new Date('2026-12-06T05:00:00Z');
    expect(await endOccurrence(deps, 'F-END', slot.start)).toEqual(['JOB-END-1']);
    const job = await t.store.getJob('JOB-END-1');
    expect(stopReasonOf(job ?? ({} as never))).toMatchObject({
      kind: 'window_end',
      at: '2026-12-06T05:00:00.000Z',
    });
    expect(job?.status).toBe('running'); // not a cancel: the job ends as it otherwise would
    expect((await t.store.getJob('JOB-END-2'))?.stopReason).toBeUndefined();
    // A second delivery of the end changes nothing.
    expect(await endOccurrence(deps, 'F-END', slot.start)).toEqual([]);
  });

  it('an occurrence whose catalog had nothing newer at fire time settles completed, saying nothing to do', async () => {
    const slot = { windowId: 'F-NONE', start: '2026-12-06T01:00:00.000Z', end: '2026-12-06T05:00:00.000Z' };
    await windows().createWindow(makeWindow({ windowId: 'F-NONE', production: false }));
    await t.store.createJob({
      id: 'JOB-NONE',
      type: 'rolling_cluster_update',
      target: { kind: 'cluster', id: 'prod-a' },
      params: { window: { windowId: 'F-NONE', start: slot.start, end: slot.end, hostSeconds: 3000 } },
      details: {},
      createdBy: SYSTEM,
      createdAt: now.toISOString(),
      scheduleAt: now.toISOString(),
      requiresApproval: false,
      windowId: 'F-NONE',
    });
    await windows().moveOccurrence(slot, 'running', { jobId: 'JOB-NONE', jobIds: ['JOB-NONE'] });
    await t.store.transitionJob('JOB-NONE', { type: 'start', actor: SYSTEM });
    await t.store.updateJob('JOB-NONE', { details: { phase: 'nothing_to_do' } });
    const job = await t.store.transitionJob('JOB-NONE', {
      type: 'complete',
      actor: SYSTEM,
      summary: 'nothing to update: all 4 host(s) already match the catalog',
    });
    const told: unknown[] = [];
    const status = await settleOccurrence(
      t.store,
      () => now,
      job,
      async () => [],
      'x',
      {
        notify: async (e) => {
          told.push(e);
        },
      },
    );
    expect(status).toBe('completed');
    const o = (await windows().getOccurrence('F-NONE', slot.start))?.value;
    expect(o?.reason).toBe('nothing to do: nothing to update: all 4 host(s) already match the catalog');
    expect(JSON.stringify(told)).toContain('nothing to do');
  });

  it('a postponed occurrence fires at its moved start with a moved end; a postponement into the next occurrence is refused', async () => {
    await windows().createWindow(
      makeWindow({
        windowId: 'F-POST',
        targets: { clusters: ['c-post'], hosts: [] },
        production: false,
        recurrence: { kind: 'cron', expression: '0 */8 * * *' },
        zone: 'UTC',
        durationMinutes: 240,
      }),
    );
    now = new Date('2026-12-10T05:00:00Z');
    const start = '2026-12-10T08:00:00.000Z';
    // 4 h long every 8 h: 5 h later it would run into 16:00.
    await expect(postponeOccurrence(deps, 'F-POST', start, 5, bob)).rejects.toThrow(/next occurrence/);
    await expect(postponeOccurrence(deps, 'F-POST', start, 0, bob)).rejects.toThrow(/whole hours/);
    expect(await windows().getOccurrence('F-POST', start)).toBeUndefined();
    expect(await postponeOccurrence(deps, 'F-POST', start, 2, bob)).toMatchObject({ postponedMinutes: 120 });

    now = new Date('2026-12-10T08:00:01Z');
    expect(await fireWindow(deps, 'F-POST', start)).toMatchObject({ status: 'scheduled' });
    expect(started).toEqual([]);
    expect(scheduler.schedules.get('window-F-POST')).toEqual({
      at: '2026-12-10T10:00:00.000Z',
      target: { kind: 'window', windowId: 'F-POST', start, postponedTo: '2026-12-10T10:00:00.000Z' },
    });
    now = new Date('2026-12-10T10:00:01Z');
    expect(await fireWindow(deps, 'F-POST', start, '2026-12-10T10:00:00.000Z')).toMatchObject({
      status: 'running',
      start,
    });
    expect(started).toEqual([{ windowId: 'F-POST', deadline: '2026-12-10T14:00:00.000Z' }]);
    expect(scheduler.schedules.get(windowEndScheduleName('F-POST'))?.at).toBe('2026-12-10T14:00:00.000Z');
    expect(scheduler.schedules.get('window-F-POST')?.at).toBe('2026-12-10T16:00:00.000Z');
  });

  it('a spring-forward 02:30 occurrence is armed at its shifted instant', async () => {
    const w = makeWindow({
      windowId: 'F-DST',
      startTime: '02:30',
      startDate: '2027-03-01',
      production: false,
    });
    now = new Date('2027-03-22T00:00:00Z');
    expect((await armWindow(deps, w))?.localStart).toBe('2027-03-28T03:30:00.000+02:00');
    expect(scheduler.schedules.get('window-F-DST')?.at).toBe('2027-03-28T01:30:00.000Z');
  });

  it("reconcile arms missing schedules, deletes orphans and a cancelled window's, leaves others alone", async () => {
    await windows().createWindow(
      makeWindow({ windowId: 'R-CANCELLED', state: 'cancelled', targets: { clusters: ['c-r'], hosts: [] } }),
    );
    await scheduler.scheduleAt({
      name: 'window-GONE',
      at: '2026-12-20T00:00:00Z',
      target: { kind: 'window', windowId: 'GONE' },
    });
    await scheduler.scheduleAt({
      name: 'window-R-CANCELLED',
      at: '2026-12-20T00:00:00Z',
      target: { kind: 'window', windowId: 'R-CANCELLED' },
    });
    await scheduler.scheduleAt({
      name: 'job-J1',
      at: '2026-12-20T00:00:00Z',
      target: { kind: 'job', jobId: 'J1' },
    });
    const r = await reconcileWindowSchedules(deps, [...scheduler.schedules.keys()]);
    expect(r.deleted.sort()).toEqual(['window-GONE', 'window-R-CANCELLED']);
    expect(r.armed).toEqual(expect.arrayContaining(['F-PEND', 'F-PART']));
    expect(scheduler.schedules.has('job-J1')).toBe(true);
    expect(scheduler.schedules.has(windowScheduleName('F-PEND'))).toBe(true);
    expect(scheduler.schedules.has('window-GONE')).toBe(false);
    // An end schedule of a stored series stays; one whose series is gone goes.
    await scheduler.scheduleAt({
      name: windowEndScheduleName('F-PEND'),
      at: '2026-12-20T04:00:00Z',
      target: { kind: 'window-end', windowId: 'F-PEND', start: '2026-12-20T00:00:00.000Z' },
    });
    await scheduler.scheduleAt({
      name: windowEndScheduleName('GONE'),
      at: '2026-12-20T04:00:00Z',
      target: { kind: 'window-end', windowId: 'GONE', start: '2026-12-20T00:00:00.000Z' },
    });
    const again = await reconcileWindowSchedules(deps, [...scheduler.schedules.keys()]);
    expect(again.deleted).toEqual([windowEndScheduleName('GONE')]);
  });
});
