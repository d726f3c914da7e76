import { isTerminal } from '@rackops/core/jobs/job.schema';
import { armWindow } from '@rackops/core/windows/window-firing';
import { createWindowStore } from '@rackops/core/windows/window-store';
import type { Occurrence } from '@rackops/core/windows/window.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, type ScenarioDriver, startScenario } from '../src/scenarios/driver';

let d: ScenarioDriver;

beforeAll(async () => {
  d = await startScenario({
    botConfig: {
      roles: { viewer: [], operator: ['aad-oper'], approver: ['aad-appr'], admin: [] },
      cardSecret: 'window-test-card-secret-0123456789abcdef',
      progressMinIntervalMs: 200,
      productionClusters: ['lab-a'],
    },
  });
}, 120_000);
afterAll(async () => {
  await d?.close();
});

/** The next whole UTC minute at least 15 s away: windows start on the minute. */
function nextMinute(): Date {
  const at = new Date(Date.now() + 15_000);
  at.setUTCSeconds(0, 0);
  at.setUTCMinutes(at.getUTCMinutes() + 1);
  return at;
}
const spec = (at: Date, length = '4h') =>
  `on ${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)} UTC for ${length} policy skip_host`;
const idIn = (replies: string[]) => /Window `([^`]+)` created/.exec(replies.join('\n'))?.[1] ?? '';

async function occurrenceOf(windowId: string, ms: number, done: (o: Occurrence) => boolean) {
  const windows = createWindowStore(d.stack.store);
  const end = Date.now() + ms;
  for (;;) {
    const o = (await windows.listOccurrences(windowId)).at(-1);
    if (o && done(o)) return o;
    if (Date.now() > end) {
      const job = o?.jobId ? await d.stack.store.getJob(o.jobId) : undefined;
      const log = o?.jobId ? (await d.stack.store.listLog(o.jobId)).items.map((l) => l.message) : [];
      throw new Error(
        `occurrence of ${windowId}: ${JSON.stringify(o)}; job ${job?.status} ${job?.pausedReason ?? ''}\n${log.slice(-15).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('maintenance windows fire on the local stack', () => {
  it('an approved one-shot fires on time and its rollout completes; an unapproved production window does not run and says why', async () => {
    const at = nextMinute();
    const approved = idIn(await d.say(`window create lab-b ${spec(at)}`));
    const unapproved = idIn(await d.say(`window create lab-a ${spec(at)}`));
    expect(approved).not.toBe('');
    expect(unapproved).not.toBe('');
    expect((await d.say(`window approve ${approved}`, APPROVER)).join('\n')).toContain('approved by');
    // One schedule per series, armed at the slot's start.
    const names = (await d.stack.scheduler.names?.('window-')) ?? [];
    expect(names.sort()).toEqual([`window-${approved}`, `window-${unapproved}`].sort());

    const running = await occurrenceOf(approved, 90_000, (o) => o.status !== 'scheduled' && !!o.jobId);
    expect(running.status).toBe('running');
    const job = await d.stack.store.getJob(running.jobId ?? '');
    expect(job).toMatchObject({ type: 'rolling_cluster_update', windowId: approved });
    const lag = Date.parse(job?.createdAt ?? '') - at.getTime();
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(3000);

    const skipped = await occurrenceOf(unapproved, 10_000, (o) => o.status !== 'scheduled');
    expect(skipped.status).toBe('skipped');
    expect(skipped.reason).toMatch(/approv/);
    expect(skipped.jobId).toBeUndefined();
    const recent = await d.stack.store.listRecentJobs({ limit: 50 });
    expect(recent.items.filter((j) => j.windowId === unapproved)).toHaveLength(0);

    const done = await occurrenceOf(approved, 180_000, (o) => o.status !== 'running');
    expect(done.status).toBe('completed');
    const finished = await d.stack.store.getJob(running.jobId ?? '');
    expect(finished?.status).toBe('completed');
    expect(isTerminal(finished?.status ?? 'running')).toBe(true);
    // Both one-shots are over: only the end of the one that ran is left (it fires at the window's end and
    // finds nothing running).
    expect((await d.stack.scheduler.names?.('window-')) ?? []).toEqual([`window-${approved}-end`]);
    const shown = (await d.say(`window ${unapproved}`)).join('\n');
    expect(shown).toContain('skipped');
    expect((await d.say(`window cancel ${unapproved}`)).join('\n')).toContain('cancelled');
  }, 300_000);

  it('a window too short ends partial with the hosts left untouched; the next occurrence updates exactly those', async () => {
    // The lab runs at 1/60: a 15 min window lasts 15 real seconds, shorter than one host's expected out-of-service
    // time (46 s + 10 s margin at that scale), so no host may start: the result does not hang on timing.
    const at = nextMinute();
    const hhmm = at.toISOString().slice(11, 16);
    const day = at.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }).toLowerCase();
    const reply = await d.say(`window create lab-a every ${day} ${hhmm} UTC for 15m policy skip_host`);
    const id = idIn(reply);
    expect(id, reply.join('\n')).not.toBe('');
    expect((await d.say(`window approve ${id}`, APPROVER)).join('\n')).toContain('approved by');

    const first = await occurrenceOf(id, 240_000, (o) => o.status !== 'scheduled' && o.status !== 'running');
    expect(first.status).toBe('partial');
    const left = first.hostsLeft ?? [];
    expect(left.length).toBeGreaterThan(0);
    const firstJob = await d.stack.store.getJob(first.jobId ?? '');
    expect(firstJob?.status).toBe('completed');
    const firstHosts = await d.stack.store.listJobItems<{ hostId: string; phase: string; reason?: string }>(
      first.jobId ?? '',
      'host',
    );
    for (const h of firstHosts.filter((x) => left.includes(x.data.hostId))) {
      expect(h.data.phase).toBe('not_started');
      expect(h.data.reason).toMatch(/maintenance window ends too soon/);
    }
    const updatedFirst = firstHosts.filter((h) => h.data.phase === 'updated').map((h) => h.data.hostId);
    expect(updatedFirst.filter((h) => left.includes(h))).toEqual([]);

    // Stands in for the next day: the series' next occurrence is moved to the coming minute and is long
    // enough; everything else (schedule, claim, carry-over, rollout) is the real path.
    const windows = createWindowStore(d.stack.store);
    const found = await windows.getWindow(id);
    if (!found) throw new Error('window gone');
    const next = nextMinute();
    const weekday = next.getUTCDay() === 0 ? 7 : next.getUTCDay();
    const moved = {
      ...found.value,
      recurrence: { kind: 'weekly' as const, weekdays: [weekday] },
      startDate: next.toISOString().slice(0, 10),
      startTime: next.toISOString().slice(11, 16),
      durationMinutes: 240,
    };
    await windows.updateWindow(moved, found.storeVersion);
    await armWindow({ scheduler: d.stack.scheduler, now: () => new Date() }, moved);

    const second = await occurrenceOf(
      id,
      240_000,
      (o) => o.start !== first.start && o.status !== 'scheduled' && o.status !== 'running',
    );
    expect(second.carriedHosts?.sort()).toEqual([...left].sort());
    expect(second.status).toBe('completed');
    const secondHosts = await d.stack.store.listJobItems<{ hostId: string; phase: string }>(
      second.jobId ?? '',
      'host',
    );
    // Exactly the hosts left: none updated twice, none forgotten.
    expect(secondHosts.map((h) => h.data.hostId).sort()).toEqual([...left].sort());
    expect(secondHosts.every((h) => h.data.phase === 'updated')).toBe(true);
  }, 600_000);
});
