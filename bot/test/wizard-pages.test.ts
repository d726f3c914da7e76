import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf } from '../src/testing/harness';
import { cardBytes } from '../src/cards/elements';
import { type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

describe('paginated blocker wizard through the bot', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('Next/Back keep choices across pages; Resume submits the whole resolution', async () => {
    f.blockers = Object.fromEntries(
      ['LABA001', 'LABA002', 'LABA003', 'LABA004'].map((h, i) => [
        h,
        Array.from({ length: 45 }, (_, j) => ({
          ...vm(`${h}-vm${j}`, j % 3 ? 'connected_iso' : 'usb_passthrough', j % 3 ? 'warning' : 'critical'),
          detail: 'x'.repeat(50 + i),
        })),
      ]),
    );
    await f.harness.say(USERS.operator, 'update cluster lab-a', 'wiz');
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'paused',
    );
    const entry = (await eventually(
      async () => f.harness.lastCard('wiz', 'Next ▶'),
      (e) => !!e,
    ))!;
    const pages = JSON.stringify(cardOf(entry.activity)).match(/Page 1 of (\d+)/)?.[1];
    expect(Number(pages)).toBeGreaterThan(1);

    // Page 1: skip the first host. Next.
    let r = await f.harness.click(USERS.operator, entry, 'Next ▶', {
      via: 'submit',
      inputs: { h0_skip: 'true' },
    });
    expect(JSON.stringify(r.card)).toContain(`Page 2 of ${pages}`);
    // Back: the choice is remembered.
    r = await f.harness.click(USERS.operator, entry, '◀ Back', { via: 'execute' });
    expect(JSON.stringify(r.card)).toContain(
      '"id":"h0_skip","title":"Skip this host (no update)","value":"true"',
    );
    // Walk forward to the last page, every card under 28 KB, then resume.
    for (let p = 1; p < Number(pages); p++) {
      r = await f.harness.click(USERS.operator, entry, 'Next ▶', { via: 'submit' });
      expect(cardBytes(r.card!)).toBeLessThan(28 * 1024);
    }
    await f.harness.click(USERS.operator, entry, 'Resume job', { via: 'submit' });
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'completed',
    );
    const items = Object.fromEntries(
      (await f.store.listJobItems<{ skipHost: boolean; vms: unknown[] }>(job.id, 'resolution')).map((i) => [
        i.key,
        i.data,
      ]),
    );
    expect(items.LABA001?.skipHost).toBe(true);
    expect(items.LABA004?.vms).toHaveLength(45);
    expect(await f.store.getJobItem(job.id, 'note', 'wizard-draft')).toBeUndefined();
  });
});
