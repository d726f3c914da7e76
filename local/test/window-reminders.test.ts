import { reminderScheduleName } from '@rackops/core/windows/window-reminders';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioDriver } from '../src/scenarios/driver';
import { sleep } from '../src/scenarios/lab-facts';
import { createApprovedWindow, startWindowScenario } from '../src/scenarios/window.scenario';
import type { DrivenClock } from '../src/scheduler/driven-clock';
import { SCHEDULE_RECORD_TYPE, ScheduleRecord } from '../src/scheduler/local-scheduler';

let d: ScenarioDriver;
let clock: DrivenClock;

beforeAll(async () => {
  ({ d, clock } = await startWindowScenario());
}, 120_000);
afterAll(async () => {
  await d?.close();
});

async function scheduled(name: string): Promise<ScheduleRecord | undefined> {
  const rec = await d.stack.store.getRecord<unknown>(SCHEDULE_RECORD_TYPE, name);
  return rec ? ScheduleRecord.parse(rec.data) : undefined;
}

async function cardWith(text: string): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const c = d.cardText(text);
    if (c) return c;
    await sleep(100);
  }
  throw new Error(`no card with "${text}" in the conversation`);
}

describe('window reminders through the local scheduler and the bot', () => {
  it('24 h and 1 h before an occurrence a card offers Skip and Postpone; bad input changes nothing', async () => {
    const { id } = await createApprovedWindow(d);
    const windows = createWindowStore(d.stack.store);
    const first = await scheduled(`window-${id}`);
    const day = await scheduled(reminderScheduleName(id, '24h'));
    const hour = await scheduled(reminderScheduleName(id, '1h'));
    const start = first?.next ?? '';
    // Armed through the same Scheduler port as the occurrence, 24 h and 1 h ahead of it. A daily series whose
    // next start is 12 h away has no 24 h reminder for it: that moment has passed.
    expect(day).toBeUndefined();
    expect(Date.parse(hour?.next ?? '')).toBe(Date.parse(start) - 3_600_000);
    expect(hour?.target).toEqual({ kind: 'window-reminder', windowId: id, start, lead: '1h' });

    clock.advanceTo(hour?.next ?? '');
    const shown = await cardWith('Maintenance window in 1h');
    expect(shown).toContain('Skip this one');
    expect(shown).toContain('Postpone');

    expect(
      (await d.clickCard('Maintenance window in 1h', 'Postpone', { inputs: { in_hours: '99' } })).join(),
    ).toContain('Nothing was changed');
    expect((await windows.getOccurrence(id, start))?.value.postponedMinutes).toBeUndefined();
    expect(
      (await d.clickCard('Maintenance window in 1h', 'Postpone', { inputs: { in_hours: '2' } })).join(),
    ).toContain('postponed by 2 h');
    expect((await windows.getOccurrence(id, start))?.value).toMatchObject({
      status: 'scheduled',
      postponedMinutes: 120,
    });
    // Its 1 h reminder moved with it: 1 h before the new start, still keyed by the occurrence's start.
    const hourAgain = await scheduled(reminderScheduleName(id, '1h'));
    expect(Date.parse(hourAgain?.next ?? '')).toBe(Date.parse(start) + 3_600_000);
    expect(hourAgain?.target).toEqual({ kind: 'window-reminder', windowId: id, start, lead: '1h' });

    // At the original start nothing runs: the series' schedule moves to the postponed start.
    clock.advanceTo(start);
    let moved: ScheduleRecord | undefined;
    for (let i = 0; i < 100 && moved?.next !== new Date(Date.parse(start) + 7_200_000).toISOString(); i++) {
      moved = await scheduled(`window-${id}`);
      await sleep(100);
    }
    expect(moved?.target).toMatchObject({ kind: 'window', start, postponedTo: moved?.next });
    expect((await windows.getOccurrence(id, start))?.value.status).toBe('scheduled');

    // Skip this one: the postponed firing then does nothing, and the series is armed for the next day.
    expect((await d.clickCard('Maintenance window in 1h', 'Skip this one')).join()).toContain('skipped');
    clock.advanceTo(moved?.next ?? '');
    let next: ScheduleRecord | undefined;
    for (let i = 0; i < 100 && next?.next !== new Date(Date.parse(start) + 86_400_000).toISOString(); i++) {
      next = await scheduled(`window-${id}`);
      await sleep(100);
    }
    expect(next?.next).toBe(new Date(Date.parse(start) + 86_400_000).toISOString());
    const o = (await windows.getOccurrence(id, start))?.value;
    expect(o?.status).toBe('skipped');
    expect(o?.jobId).toBeUndefined();
    await d.say(`window cancel ${id}`);
  }, 300_000);
});
