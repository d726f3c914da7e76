import type { AdaptiveCard } from '@microsoft/teams-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCard as drawAuditCard, encodeAuditCursor } from '../src/cards/audit-card';
import { signCardData } from '../src/cards/card-data';
import { cardBytes } from '../src/cards/elements';
import { parseAuditTime } from '../src/handlers/audit-command';
import {
  type ClickResult,
  type TranscriptEntry,
  cardActions,
  cardOf,
  cardTexts,
} from '../src/testing/harness';
import { type BotFixture, CONFIG, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');
const KEY = { secret: String(CONFIG.cardSecret), conversationId: 'conv-1' };

/** The card a person sees after a click: Teams replaces it from the invoke response, Web Chat updates the message. */
function shown(r: ClickResult): AdaptiveCard | undefined {
  if (!r.invokeResponse) return r.card;
  const body = r.invokeResponse.body as { type?: string; value?: unknown } | undefined;
  return body?.type === 'application/vnd.microsoft.card.adaptive' ? (body.value as AdaptiveCard) : undefined;
}
const said = (r: ClickResult): string => {
  const body = r.invokeResponse?.body as { value?: unknown } | undefined;
  return `${text(r.replies)}\n${typeof body?.value === 'string' ? body.value : ''}`;
};
/** The job ids in the card's rows, top to bottom. */
const jobsOn = (c: AdaptiveCard | undefined): string[] =>
  cardTexts(c!).flatMap((t) => /^(JOB-[A-Z0-9]+)/.exec(t)?.[1] ?? []);
const buttons = (c: AdaptiveCard | undefined): string[] => cardActions(c!).map((a) => a.title);
const header = (c: AdaptiveCard | undefined): string => cardTexts(c!).slice(0, 2).join(' | ');

describe('audit: who did what, from chat, as a paged card', () => {
  let f: BotFixture;
  const now = Date.now();
  const zoe = { kind: 'user' as const, id: 'aad-zoe', name: 'Zoe Zimmer' };
  beforeAll(async () => {
    f = await startBotFixture();
    // 25 events by one person over the last 25 hours, 3 by another, one two weeks ago.
    for (let i = 0; i < 25; i++)
      await f.store.recordAudit({
        actor: zoe,
        action: 'job.approve',
        jobId: `JOB-Z${String(i).padStart(2, '0')}`,
        at: new Date(now - (i + 1) * 3_600_000).toISOString(),
      });
    for (let i = 0; i < 3; i++)
      await f.store.recordAudit({
        actor: { kind: 'user', id: 'aad-yan', name: 'Yan Yu' },
        action: 'job.cancel',
        jobId: 'JOB-Y',
        detail: { outcome: 'cancelled' },
        at: new Date(now - (i + 1) * 600_000).toISOString(),
      });
    await f.store.recordAudit({
      actor: zoe,
      action: 'window.approve',
      at: new Date(now - 14 * 86_400_000).toISOString(),
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  const auditCard = async (user = USERS.approver, words = 'audit person "zoe zimmer"') => {
    await f.harness.say(user, words);
    const entry = f.harness.lastCard('conv-1', '**Audit**');
    expect(entry).toBeDefined();
    return entry as TranscriptEntry;
  };

  it('pages 20 at a time, older and back newer, in place, keeping the filter and the range', async () => {
    const entry = await auditCard();
    const first = cardOf(entry.activity);
    expect(header(first)).toMatch(/person zoe zimmer \| .* UTC · newest first · page 1 — events 1–20/);
    expect(jobsOn(first)).toEqual(Array.from({ length: 20 }, (_, i) => `JOB-Z${String(i).padStart(2, '0')}`));
    expect(cardTexts(first!).join('\n')).not.toContain('Yan Yu');
    expect(buttons(first)).toEqual(['Older']);

    // Recorded after the card was drawn: not on its pages (the range ends when the first page was read).
    await f.store.recordAudit({ actor: zoe, action: 'job.approve', jobId: 'JOB-ZNEW' });

    // Web Chat: the submit updates the card's message in place.
    const older = await f.harness.click(USERS.approver, entry, 'Older', { via: 'submit' });
    expect(older.replies).toEqual([]);
    const second = shown(older);
    expect(header(second)).toContain('person zoe zimmer');
    expect(header(second)).toContain('page 2 — events 21–25');
    expect(jobsOn(second)).toEqual(['JOB-Z20', 'JOB-Z21', 'JOB-Z22', 'JOB-Z23', 'JOB-Z24']);
    expect(buttons(second)).toEqual(['Newer']);
    const updated = f.harness.transcript().find((e) => e.id === entry.id)!;
    expect(updated.updates).toBe(1);

    // Teams: Action.Execute, the card comes back in the invoke response.
    const newer = await f.harness.click(USERS.approver, updated, 'Newer', { via: 'execute' });
    const back = shown(newer);
    expect(header(back)).toContain('page 1 — events 1–20');
    expect(jobsOn(back)).toEqual(jobsOn(first));
    expect(jobsOn(back)).not.toContain('JOB-ZNEW');
    expect(buttons(back)).toEqual(['Older']);
  });

  it('pages through everyone across days, both ways, without a gap or a repeat', async () => {
    // Events of one instant are ordered by id: a page boundary inside them loses none.
    const at = new Date(now - 30 * 3_600_000).toISOString();
    for (let i = 0; i < 30; i++)
      await f.store.recordAudit({ actor: { kind: 'system', id: 'scheduler' }, action: 'job.start', at });
    const entry = await auditCard(USERS.admin, 'audit since 3d');
    const pages: AdaptiveCard[] = [cardOf(entry.activity)!];
    let current = entry;
    while (buttons(pages.at(-1)).includes('Older')) {
      const r = await f.harness.click(USERS.admin, current, 'Older', { via: 'submit' });
      pages.push(shown(r)!);
      current = f.harness.transcript().find((e) => e.id === entry.id)!;
    }
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const starts = pages.map((p) => /events (\d+)–(\d+)/.exec(header(p))?.slice(1).map(Number));
    // Consecutive, 20 a page, the last one shorter.
    expect(starts.map((s) => s?.[0])).toEqual(pages.map((_, i) => i * 20 + 1));
    expect(starts.slice(0, -1).every((s) => s![1]! - s![0]! === 19)).toBe(true);
    const total = starts.at(-1)![1]!;
    // 25 + 3 + 30 seeded in range, plus the chat commands and clicks of the tests before this one.
    expect(total).toBeGreaterThanOrEqual(58);
    const schedulerRows = pages.flatMap((p) => cardTexts(p)).filter((t) => t === 'scheduler').length;
    expect(schedulerRows).toBe(30);
    // And back: each Newer shows the page it came from.
    for (let k = pages.length - 1; k >= 1; k--) {
      const r = await f.harness.click(USERS.admin, current, 'Newer', { via: 'submit' });
      expect(cardTexts(shown(r)!)).toEqual(cardTexts(pages[k - 1]!));
      current = f.harness.transcript().find((e) => e.id === entry.id)!;
    }
  });

  it('refuses a forged or garbled cursor with a clear error and changes nothing', async () => {
    const entry = await auditCard();
    const before = JSON.stringify(cardOf(entry.activity));
    const older = cardActions(cardOf(entry.activity)!).find((a) => a.title === 'Older')!;
    const p = older.data.p as { cid: string; f: Record<string, unknown>; c: string };

    // Changed in the signed data: the signature no longer verifies.
    const edited = {
      ...older.data,
      p: { ...p, c: encodeAuditCursor({ k: 9, toward: 'older', at: p.f.since as string, id: 'X' }) },
    };
    const tampered = await f.harness.submitCardData(USERS.approver, entry, edited, 'submit');
    expect(said(tampered)).toContain('does not verify');

    // Signed with the right key (a leak, a bug drawing a card): the cursor is still checked before it is used.
    const forged = (c: string) => signCardData(KEY, 'audit.page', { ...p, c });
    const cursors = [
      'not a cursor!',
      Buffer.from('{"k":2,"toward":"older"').toString('base64url'),
      encodeAuditCursor({
        k: 2,
        toward: 'older',
        at: new Date(now - 3_600_000).toISOString(),
        id: 'NO-SUCH-EVENT',
      }),
      encodeAuditCursor({
        k: 2,
        toward: 'older',
        at: new Date(now - 60 * 86_400_000).toISOString(),
        id: 'X',
      }),
      Buffer.from(JSON.stringify({ k: 2, toward: 'sideways', at: p.f.since, id: 'X' })).toString('base64url'),
    ];
    for (const c of cursors)
      for (const via of ['submit', 'execute'] as const) {
        const r = await f.harness.submitCardData(USERS.approver, entry, forged(c), via, 'audit.page');
        expect(said(r)).toContain('page position is not valid');
        if (via === 'execute') expect(shown(r)).toBeUndefined();
      }
    const after = f.harness.transcript().find((e) => e.id === entry.id)!;
    expect(after.updates).toBe(0);
    expect(JSON.stringify(cardOf(after.activity))).toBe(before);
  });

  it('needs the approver or admin role, typed or clicked', async () => {
    expect(text(await f.harness.say(USERS.operator, 'audit'))).toContain('needs the **approver** role');
    expect(text(await f.harness.say(USERS.viewer, 'audit person aad-yan'))).toContain(
      'needs the **approver** role',
    );
    const entry = await auditCard();
    for (const user of [USERS.operator, USERS.viewer])
      for (const via of ['submit', 'execute'] as const) {
        const r = await f.harness.click(user, entry, 'Older', { via });
        expect(said(r)).toContain('needs the **approver** role');
        if (via === 'execute') expect(shown(r)).toBeUndefined();
      }
    expect(f.harness.transcript().find((e) => e.id === entry.id)!.updates).toBe(0);
    const byAdmin = await f.harness.click(USERS.admin, entry, 'Older', { via: 'submit' });
    expect(header(shown(byAdmin))).toContain('page 2');
  });

  it('by id through the actor index, by job, and further back with since', async () => {
    const yan = cardOf((await auditCard(USERS.approver, 'audit person aad-yan')).activity);
    expect(cardTexts(yan!)).toEqual(expect.arrayContaining(['Yan Yu', 'job.cancel', 'cancelled']));
    const job = cardOf((await auditCard(USERS.admin, 'audit job JOB-Z03')).activity);
    expect(jobsOn(job)).toEqual(['JOB-Z03']);
    expect(buttons(job)).toEqual([]);
    const recent = cardOf((await auditCard(USERS.approver, 'audit person "Zoe Zimmer"')).activity);
    expect(cardTexts(recent!)).not.toContain('window.approve');
    const back = cardOf(
      (await auditCard(USERS.approver, 'audit person "Zoe Zimmer" since 30d before 2d')).activity,
    );
    expect(cardTexts(back!)).toContain('window.approve');
  });

  it("by cluster: the events of that cluster's jobs only", async () => {
    await f.harness.say(USERS.operator, 'update cluster lab-a at +30m');
    await f.harness.say(USERS.operator, 'update cluster prod-a at +30m');
    const c = cardOf((await auditCard(USERS.approver, 'audit cluster lab-a')).activity)!;
    expect(header(c)).toContain('Audit** — cluster lab-a');
    const texts = cardTexts(c);
    expect(texts).toEqual(expect.arrayContaining(['job.create', 'cluster:domain-c1']));
    expect(texts).not.toContain('cluster:domain-c2');
  });

  it('shows a link typed into a command as text, not as a link', async () => {
    await f.harness.say(USERS.operator, 'server [login](https://evil.invalid/)');
    const c = cardOf((await auditCard(USERS.approver, 'audit person aad-oper')).activity)!;
    const typed = cardTexts(c).find((t) => t.startsWith('server ['));
    expect(typed).toBe('server [login] (https://evil.invalid/)');
  });

  it('says so in a sentence when nothing matches, and a bad time changes nothing', async () => {
    const cardsBefore = f.harness.transcript().filter((e) => cardOf(e.activity)).length;
    expect(text(await f.harness.say(USERS.approver, 'audit job JOB-NONE'))).toMatch(
      /^No audit events for job JOB-NONE, \d{4}-\d{2}-\d{2} \d{2}:\d{2} – .* UTC\.$/,
    );
    expect(text(await f.harness.say(USERS.approver, 'audit since yesterday-ish'))).toContain(
      'use a span back from now',
    );
    expect(text(await f.harness.say(USERS.approver, 'audit since 2d before 3d'))).toContain('must be before');
    expect(f.harness.transcript().filter((e) => cardOf(e.activity)).length).toBe(cardsBefore);
  });

  it('reads spans and dates', () => {
    const at = new Date('2026-12-05T12:00:00Z');
    expect(parseAuditTime('12h', at).toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(parseAuditTime('7d', at).toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(parseAuditTime('2026-12-01', at).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(() => parseAuditTime('soon', at)).toThrow(/not a time/);
  });

  it('a page of the longest values still fits a Teams card (28 KB)', () => {
    const long = (c: string, n: number) => c.repeat(n);
    const events = Array.from({ length: 20 }, (_, i) => ({
      id: `01M8J0ABCDEFGHJKMNPQRSTV${String(i).padStart(2, '0')}-v12`,
      at: new Date(now - i * 1000).toISOString(),
      actor: { kind: 'user' as const, id: long('x', 200), name: long('N', 200) },
      action: long('a', 100),
      jobId: '01M8J0ABCDEFGHJKMNPQRSTVWX',
      target: `cluster:${long('c', 120)}`,
      detail: { text: long('t', 300), outcome: long('o', 300) },
    }));
    const filter = {
      person: long('p', 200),
      since: new Date(0).toISOString(),
      until: new Date(now).toISOString(),
    };
    const c = drawAuditCard(KEY, {
      cid: '01M8J0ABCDEFGHJKMNPQRSTVWX',
      filter,
      page: { events, older: true, newer: true, scope: `person ${filter.person}` },
      k: 2,
    });
    expect(buttons(c)).toEqual(['Newer', 'Older']);
    expect(cardBytes(c)).toBeLessThan(28 * 1024);
  });
});
