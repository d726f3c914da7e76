import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');
const BACKUP = 'LABA003-20261206T101500Z-JID123456789012';

describe('SCP backup commands through the real bot (TestAdapter, dynalite, local engine)', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });
  const newest = async (host: string) =>
    (await f.store.listJobsByTarget('host', host, { limit: 1 })).items[0];
  const count = async () => (await f.store.listRecentJobs({ limit: 200 })).items.length;

  it('backups HOST lists them through a one-command job on the host', async () => {
    await f.harness.say(USERS.operator, 'backups LABA003');
    expect(await newest('LABA003')).toMatchObject({
      type: 'scp_backups',
      target: { kind: 'host', id: 'LABA003' },
    });
    expect(text(await f.harness.say(USERS.operator, 'backups NOPE999'))).toContain('not in the inventory');
  });

  it('scp diff compares a backup with the host now, or with another backup', async () => {
    await f.harness.say(USERS.operator, `scp diff LABA003 ${BACKUP}`);
    expect(await newest('LABA003')).toMatchObject({ type: 'scp_diff', params: { backupId: BACKUP } });
    const other = 'LABA003-20261207T101500Z-JID123456789013';
    await f.harness.say(USERS.operator, `scp diff LABA003 ${BACKUP} ${other}`);
    expect(await newest('LABA003')).toMatchObject({ params: { backupId: BACKUP, against: other } });
  });

  it('a backup id that is a path is refused in chat, creating nothing', async () => {
    const before = await count();
    const reply = text(await f.harness.say(USERS.operator, 'scp restore LABA003 ../../etc/passwd confirm'));
    expect(reply).toContain('Bad `BACKUP`');
    expect(reply).toContain('a backup id is letters, digits');
    expect(await count()).toBe(before);
  });

  it('scp restore without confirm only previews (a diff job), and says so', async () => {
    const reply = text(await f.harness.say(USERS.operator, `scp restore LABA003 ${BACKUP}`));
    expect(reply).toContain('Preview only');
    expect(await newest('LABA003')).toMatchObject({
      type: 'scp_diff',
      params: { backupId: BACKUP, purpose: 'restore-preview' },
      requiresApproval: false,
    });
  });

  it('scp restore … confirm restores with the shutdown type asked for (graceful by default)', async () => {
    await f.harness.say(USERS.operator, `scp restore LABA003 ${BACKUP} forced confirm`);
    expect(await newest('LABA003')).toMatchObject({
      type: 'scp_restore',
      params: { backupId: BACKUP, shutdownType: 'Forced' },
      requiresApproval: false,
    });
    await f.harness.say(USERS.operator, `scp restore LABA004 LABA004-20261206T101500Z-JID1 confirm`);
    expect(await newest('LABA004')).toMatchObject({ params: { shutdownType: 'Graceful' } });
  });

  it('a restore on a production host waits for four-eyes approval', async () => {
    const replies = await f.harness.say(
      USERS.operator,
      'scp restore PROD001 PROD001-20261206T101500Z-JID1 confirm',
    );
    expect(await newest('PROD001')).toMatchObject({
      type: 'scp_restore',
      status: 'pending',
      requiresApproval: true,
    });
    expect(JSON.stringify(cardOf(replies.find((r) => cardOf(r))))).toContain('Approval needed');
  });

  it('viewers may not list, compare or restore; help explains restore; typos get the closest command', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'backups LABA003'))).toContain(
      'needs the **operator** role',
    );
    expect(text(await f.harness.say(USERS.viewer, `scp restore LABA003 ${BACKUP} confirm`))).toContain(
      'needs the **operator** role',
    );
    const help = text(await f.harness.say(USERS.viewer, 'help scp restore'));
    expect(help).toContain('scp restore HOST BACKUP [graceful|forced|no-reboot] [confirm]');
    expect(help).toContain('scp_restore_unverified');
    expect(text(await f.harness.say(USERS.viewer, 'help'))).toContain('`backups HOST`');
    expect(text(await f.harness.say(USERS.operator, 'scp restor LABA003'))).toContain(
      'Did you mean `scp restore',
    );
    expect(text(await f.harness.say(USERS.operator, 'backup LABA003'))).toContain(
      'Did you mean `backups HOST`',
    );
  });
});
