import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');
const idIn = (t: string): string => /Window `(W[0-9A-Z]+)` created/.exec(t)?.[1] ?? '';

describe('maintenance window commands through the real bot (TestAdapter, dynalite)', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('window create on production: preview with estimate vs length, then four-eyes approval', async () => {
    const created = text(
      await f.harness.say(USERS.operator, 'window create prod-a every sunday 02:00 Europe/Berlin for 4h'),
    );
    const id = idIn(created);
    expect(id).not.toBe('');
    expect(created).toContain('cron(0 2 ? * SUN *)');
    // People read the cluster's name, not its inventory id.
    expect(created).toContain('rolling firmware update of **prod-a**');
    // The operator is told what the slot re-checks before it starts anything.
    expect(created).toContain('then starts the rolling update');
    expect(created).toMatch(/estimate .* vs window 4 h/);
    expect(created).toContain('awaiting approval');
    // The creator may not approve their own production window, even with the approver role.
    const own = text(
      await f.harness.say(USERS.approver, 'window create prod-a every monday 02:00 UTC for 1h'),
    );
    const ownId = idIn(own);
    expect(text(await f.harness.say(USERS.approver, `window approve ${ownId}`))).toContain('a second person');
    expect(text(await f.harness.say(USERS.operator, `window approve ${id}`))).toMatch(/needs|role/i);
    expect(text(await f.harness.say(USERS.approver, `window approve ${id}`))).toContain(
      'approved by Ada Approver',
    );
    const stored = await createWindowStore(f.store).getWindow(id);
    expect(stored?.value).toMatchObject({
      approval: 'approved',
      production: true,
      approvedBy: { name: 'Ada Approver' },
    });
  });

  it('a window that does not fit says so at creation', async () => {
    const t = text(
      await f.harness.say(USERS.operator, 'window create lab-a on 2027-01-09 02:00 UTC for 15m'),
    );
    expect(t).toContain('does not fit');
  });

  it('an overlapping window on the same cluster is refused, naming the other', async () => {
    const first = idIn(
      text(await f.harness.say(USERS.operator, 'window create lab-a every saturday 22:00 UTC for 3h')),
    );
    const t = text(await f.harness.say(USERS.operator, 'window create lab-a every sunday 00:00 UTC for 2h'));
    expect(t).toContain(`overlaps window ${first} on lab-a`);
  });

  it('bad schedules get a clear error and store nothing', async () => {
    const before = (await createWindowStore(f.store).listWindows()).length;
    expect(
      text(await f.harness.say(USERS.operator, 'window create lab-a every sunday 02:00 Mars/Base for 4h')),
    ).toContain('not a time zone');
    expect(
      text(await f.harness.say(USERS.operator, 'window create nope every sunday 02:00 UTC for 4h')),
    ).toContain('cluster nope');
    expect((await createWindowStore(f.store).listWindows()).length).toBe(before);
  });

  it('windows lists the next 14 days; window ID, skip and cancel', async () => {
    const id = idIn(
      text(await f.harness.say(USERS.operator, 'window create lab-a every wednesday 03:00 UTC for 2h')),
    );
    const replies = await f.harness.say(USERS.viewer, 'windows');
    expect(text(replies)).toContain('Maintenance windows, next 14 days');
    // The 14 days as a card: a row per occurrence (every Wednesday in it), with approval and estimate vs length.
    const shown = JSON.stringify(replies.map((r) => cardOf(r)).find(Boolean));
    expect(shown).toContain('Maintenance windows, next 14 days');
    expect(shown.split(id).length - 1).toBeGreaterThanOrEqual(2);
    expect(shown).toContain('Estimate vs length');
    expect(shown).toMatch(/of 2 h/);
    // Creating arms the series' one schedule, at its next occurrence (a Wednesday 03:00 UTC).
    const armed = f.scheduler.schedules.get(`window-${id}`);
    expect(armed?.target).toEqual({ kind: 'window', windowId: id, start: armed?.at });
    expect(new Date(armed?.at ?? '').getUTCDay()).toBe(3);
    const skipped = text(await f.harness.say(USERS.operator, `window skip ${id}`));
    expect(skipped).toContain('is skipped');
    expect(text(await f.harness.say(USERS.viewer, `window ${id}`))).toContain('skipped');
    expect(text(await f.harness.say(USERS.operator, `window cancel ${id}`))).toContain('cancelled');
    expect(f.scheduler.schedules.has(`window-${id}`)).toBe(false);
    const after = await f.harness.say(USERS.viewer, 'windows');
    expect(JSON.stringify(after.map((r) => cardOf(r)))).not.toContain(id);
  });

  it('window edit changes the series and voids its approval; bad input changes nothing', async () => {
    const id = idIn(
      text(await f.harness.say(USERS.operator, 'window create prod-a every thursday 01:00 UTC for 2h')),
    );
    expect(text(await f.harness.say(USERS.approver, `window approve ${id}`))).toContain('approved by');
    const windows = createWindowStore(f.store);
    const before = await windows.getWindow(id);
    // Not a schedule, a zone that does not exist, an unknown window: each refused, the record as it was.
    for (const bad of [
      `window edit ${id} every thursday 25:00 UTC for 2h`,
      `window edit ${id} every thursday 01:00 Mars/Base for 2h`,
      `window edit ${id} sometimes`,
    ])
      expect(text(await f.harness.say(USERS.operator, bad))).not.toContain('changed (version');
    expect(
      text(await f.harness.say(USERS.operator, 'window edit WNOPE every friday 01:00 UTC for 2h')),
    ).toMatch(/not found|WNOPE/);
    expect((await windows.getWindow(id))?.storeVersion).toBe(before?.storeVersion);
    // Edited into another window's slot on the same cluster: refused, naming it.
    const other = idIn(
      text(await f.harness.say(USERS.operator, 'window create prod-a every friday 10:00 UTC for 2h')),
    );
    expect(
      text(await f.harness.say(USERS.operator, `window edit ${id} every friday 11:00 UTC for 2h`)),
    ).toContain(`overlaps window ${other}`);
    expect((await windows.getWindow(id))?.storeVersion).toBe(before?.storeVersion);

    const edited = text(
      await f.harness.say(USERS.operator, `window edit ${id} every tuesday 03:00 UTC for 3h policy fail`),
    );
    expect(edited).toContain('changed (version 2)');
    expect(edited).toContain('voided the earlier approval');
    const after = (await windows.getWindow(id))?.value;
    expect(after).toMatchObject({
      version: 2,
      approval: 'pending',
      durationMinutes: 180,
      blockerPolicy: 'fail',
      recurrence: { kind: 'weekly', weekdays: [2] },
    });
    expect(after?.approvedBy).toBeUndefined();
    // Re-armed at the edited schedule's next occurrence, a Tuesday 03:00 UTC.
    const armed = f.scheduler.schedules.get(`window-${id}`);
    expect(new Date(armed?.at ?? '').getUTCDay()).toBe(2);
    expect(new Date(armed?.at ?? '').getUTCHours()).toBe(3);
    await f.harness.say(USERS.operator, `window cancel ${id}`);
    await f.harness.say(USERS.operator, `window cancel ${other}`);
  });

  it('help lists the window commands', async () => {
    const t = text(await f.harness.say(USERS.viewer, 'help window create'));
    expect(t).toContain('every sunday 02:00 Europe/Berlin for 4h');
  });
});
