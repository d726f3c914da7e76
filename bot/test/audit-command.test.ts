import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditTime } from '../src/handlers/audit-command';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

describe('audit: who did what, from chat', () => {
  let f: BotFixture;
  const now = Date.now();
  beforeAll(async () => {
    f = await startBotFixture();
    // 25 events by one person over the last 25 hours, 3 by another, one two weeks ago.
    for (let i = 0; i < 25; i++)
      await f.store.recordAudit({
        actor: { kind: 'user', id: 'aad-zoe', name: 'Zoe Zimmer' },
        action: 'job.approve',
        jobId: `JOB-Z${String(i).padStart(2, '0')}`,
        at: new Date(now - (i + 1) * 3_600_000).toISOString(),
      });
    for (let i = 0; i < 3; i++)
      await f.store.recordAudit({
        actor: { kind: 'user', id: 'aad-yan', name: 'Yan Yu' },
        action: 'job.cancel',
        jobId: 'JOB-Y',
        at: new Date(now - (i + 1) * 600_000).toISOString(),
      });
    await f.store.recordAudit({
      actor: { kind: 'user', id: 'aad-zoe', name: 'Zoe Zimmer' },
      action: 'window.approve',
      at: new Date(now - 14 * 86_400_000).toISOString(),
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a person by display name, newest first, 20 at a time; the last line asks for the older ones', async () => {
    const first = text(await f.harness.say(USERS.approver, 'audit person "zoe zimmer"'));
    const lines = first.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(20);
    expect(lines[0]).toContain('job JOB-Z00');
    expect(lines[19]).toContain('job JOB-Z19');
    expect(first).not.toContain('Yan Yu');
    const older = /Older: `([^`]+)`/.exec(first)?.[1];
    expect(older).toMatch(/^audit person "zoe zimmer" since \d{4}-\d{2}-\d{2} before /);
    const rest = text(await f.harness.say(USERS.approver, older!));
    expect(
      rest
        .split('\n')
        .filter((l) => l.startsWith('- '))
        .map((l) => /JOB-Z\d+/.exec(l)?.[0]),
    ).toEqual(['JOB-Z20', 'JOB-Z21', 'JOB-Z22', 'JOB-Z23', 'JOB-Z24']);
    expect(rest).not.toContain('Older:');
  });

  it('by id through the actor index, by job, and further back with since', async () => {
    expect(text(await f.harness.say(USERS.approver, 'audit person aad-yan'))).toMatch(/Yan Yu.*job\.cancel/);
    const job = text(await f.harness.say(USERS.admin, 'audit job JOB-Z03'));
    expect(job.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(1);
    expect(text(await f.harness.say(USERS.approver, 'audit person "Zoe Zimmer"'))).not.toContain(
      'window.approve',
    );
    expect(
      text(await f.harness.say(USERS.approver, 'audit person "Zoe Zimmer" since 30d before 2d')),
    ).toContain('window.approve');
  });

  it('needs the approver role, and a bad time changes nothing and says what a time is', async () => {
    expect(text(await f.harness.say(USERS.operator, 'audit'))).toContain('needs the **approver** role');
    expect(text(await f.harness.say(USERS.approver, 'audit since yesterday-ish'))).toContain(
      'use a span back from now',
    );
  });

  it('reads spans and dates', () => {
    const at = new Date('2026-12-05T12:00:00Z');
    expect(parseAuditTime('12h', at).toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(parseAuditTime('7d', at).toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(parseAuditTime('2026-12-01', at).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(() => parseAuditTime('soon', at)).toThrow(/not a time/);
  });
});
