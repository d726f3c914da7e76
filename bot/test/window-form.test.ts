import { createWindowStore } from '@rackops/core/windows/window-store';
import type { WindowRecord } from '@rackops/core/windows/window.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardActions, cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const said = (r: { replies: { text?: string }[]; invokeResponse?: unknown }): string =>
  r.replies.map((x) => x.text ?? '').join('\n') + JSON.stringify(r.invokeResponse ?? '');
const idIn = (t: string): string => /Window `(W[0-9A-Z]+)` created/.exec(t)?.[1] ?? '';

/** What the form and the text command must agree on: everything but identity and bookkeeping. */
function comparable(w: WindowRecord | undefined): Record<string, unknown> {
  const {
    windowId: _id,
    createdAt: _c,
    updatedAt: _u,
    state: _s,
    ...rest
  } = (w ?? {}) as Record<string, unknown>;
  return rest;
}

describe('window create as a card form (TestAdapter, dynalite)', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const openForm = async () => {
    const replies = await f.harness.say(USERS.operator, 'window create');
    expect(replies.some((r) => cardOf(r))).toBe(true);
    const entry = f.harness.lastCard('conv-1', 'New maintenance window');
    if (!entry) throw new Error('no form card');
    return entry;
  };
  const windowCount = async () => (await createWindowStore(f.store).listWindows()).length;

  it('`window create` alone answers the form with every field of the grammar', async () => {
    const entry = await openForm();
    const ids = JSON.stringify(cardOf(entry.activity));
    for (const id of [
      'in_targets',
      'in_kind',
      'in_date',
      'in_weekday',
      'in_nth',
      'in_cron',
      'in_time',
      'in_zone',
      'in_duration',
      'in_policy',
      'in_continue',
    ])
      expect(ids).toContain(`"${id}"`);
    expect(cardActions(cardOf(entry.activity)!).map((a) => a.title)).toEqual(['Create window']);
  });

  it('a valid submission creates exactly the window the equivalent text command creates', async () => {
    const cases: { text: string; inputs: Record<string, string> }[] = [
      {
        text: 'window create lab-a on 2027-03-06 02:00 Europe/Berlin for 2h policy skip_host continue-on-failure',
        inputs: {
          in_targets: 'lab-a',
          in_kind: 'once',
          in_date: '2027-03-06',
          in_time: '02:00',
          in_zone: 'Europe/Berlin',
          in_duration: '2h',
          in_policy: 'skip_host',
          in_continue: 'true',
        },
      },
      {
        text: 'window create lab-a second tuesday of the month 23:30 America/New_York for 90m from 2027-04-01',
        inputs: {
          in_targets: 'lab-a',
          in_kind: 'monthly',
          in_nth: 'second',
          in_weekday: 'tuesday',
          in_date: '2027-04-01',
          in_time: '23:30',
          in_zone: 'America/New_York',
          in_duration: '90m',
        },
      },
      {
        text: 'window create lab-a cron "30 1 * * 6" UTC for 3h from 2027-05-01',
        inputs: {
          in_targets: 'lab-a',
          in_kind: 'cron',
          in_cron: '30 1 * * 6',
          in_date: '2027-05-01',
          in_zone: 'UTC',
          in_duration: '3h',
        },
      },
    ];
    const store = createWindowStore(f.store);
    for (const c of cases) {
      const byText = idIn(said({ replies: await f.harness.say(USERS.operator, c.text) }));
      expect(byText).not.toBe('');
      const textRecord = (await store.getWindow(byText))?.value;
      expect(textRecord?.targets.clusters.length).toBe(1);
      // Out of the way, so the form's identical window does not overlap it.
      expect(said({ replies: await f.harness.say(USERS.operator, `window cancel ${byText}`) })).toContain(
        'cancelled',
      );
      const entry = await openForm();
      const r = await f.harness.click(USERS.operator, entry, 'Create window', { inputs: c.inputs });
      const byForm = idIn(said(r));
      expect(byForm, said(r)).not.toBe('');
      expect(said(r)).toMatch(/estimate .* vs window/);
      expect(comparable((await store.getWindow(byForm))?.value)).toEqual(comparable(textRecord));
    }
  });

  it('production from the form (Web Chat submit): preview, then four-eyes approval as for the text command', async () => {
    const entry = await openForm();
    const r = await f.harness.click(USERS.operator, entry, 'Create window', {
      inputs: {
        in_targets: 'prod-a',
        in_kind: 'weekly',
        in_weekday: 'sunday',
        in_time: '02:00',
        in_duration: '4h',
      },
      via: 'submit',
    });
    expect(said(r)).toContain('awaiting approval');
    const id = idIn(said(r));
    expect((await createWindowStore(f.store).getWindow(id))?.value).toMatchObject({
      production: true,
      approval: 'pending',
    });
  });

  it('each invalid field answers an error naming it and creates nothing', async () => {
    const good = {
      in_targets: 'lab-a',
      in_kind: 'once',
      in_date: '2027-06-10',
      in_time: '02:00',
      in_zone: 'UTC',
      in_duration: '2h',
      in_policy: 'pause',
    };
    const bad: [Record<string, string>, RegExp][] = [
      [{ in_targets: '' }, /Targets:/],
      [{ in_targets: 'nope-cluster' }, /nope-cluster/],
      [{ in_kind: 'fortnightly' }, /Schedule:/],
      [{ in_date: '2027-02-30' }, /Date:/],
      [{ in_date: '' }, /Date: a one-shot/],
      [{ in_time: '25:00' }, /Time:/],
      [{ in_zone: 'Mars/Base' }, /Time zone:/],
      [{ in_duration: '5m' }, /Duration:/],
      [{ in_policy: 'yolo' }, /Blocker policy:/],
      [{ in_continue: 'maybe' }, /Continue on failure:/],
      [{ in_kind: 'cron', in_cron: '61 * * * *' }, /Cron:/],
      [{ in_kind: 'weekly', in_weekday: 'funday' }, /Weekday:/],
    ];
    const entry = await openForm();
    for (const [change, error] of bad) {
      const before = await windowCount();
      const r = await f.harness.click(USERS.operator, entry, 'Create window', {
        inputs: { ...good, ...change },
      });
      expect(said(r), JSON.stringify(change)).toMatch(error);
      expect(await windowCount()).toBe(before);
    }
    // Overlap: the first one is created, the same slot again is refused naming it.
    const first = idIn(said(await f.harness.click(USERS.operator, entry, 'Create window', { inputs: good })));
    expect(first, 'the valid form after the refusals').not.toBe('');
    const before = await windowCount();
    const again = await f.harness.click(USERS.operator, entry, 'Create window', { inputs: good });
    expect(said(again)).toContain(first);
    expect(await windowCount()).toBe(before);
  });

  it('a viewer cannot submit the form', async () => {
    const entry = await openForm();
    const before = await windowCount();
    const r = await f.harness.click(USERS.viewer, entry, 'Create window', {
      inputs: { in_targets: 'lab-b', in_kind: 'once', in_date: '2027-07-03', in_duration: '2h' },
    });
    expect(said(r)).toContain('needs the **operator** role');
    expect(await windowCount()).toBe(before);
  });
});
