import { recordDelivery } from '@rackops/core/notifications/delivery-log';
import { NOTIFICATION_KINDS } from '@rackops/core/notifications/events';
import { GLOBAL_SCOPE, SETTINGS_RECORD, clusterScope, loadScope } from '@rackops/core/notifications/settings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

describe('notify: settings, e-mail addresses and the delivery log through the real bot (dynalite)', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const stored = (scope: string) => f.store.getRecord<unknown>(SETTINGS_RECORD, scope);

  it('anyone may look: the defaults tell the job conversation everything, channel and e-mail nothing', async () => {
    const t = text(await f.harness.say(USERS.viewer, 'notify'));
    expect(t).toContain('**conversation**: job_paused, approval_needed, job_completed');
    expect(t).toContain('**channel**: —');
    expect(t).toContain('**email**: —');
  });

  it('an operator switches e-mail on for one cluster, by its name; the change is stored by id and audited', async () => {
    const t = text(await f.harness.say(USERS.operator, 'notify email on paused,job_failed cluster lab-a'));
    expect(t).toContain('cluster lab-a');
    expect(t).toContain('**email**: job_paused, job_failed');
    const scope = await loadScope(f.store, clusterScope('domain-c1'));
    expect(scope.on.email).toEqual(['job_paused', 'job_failed']);
    const audit = (await f.store.listAuditByActor('aad-oper')).items.find(
      (a) => a.action === 'notify.settings_changed',
    );
    expect(audit?.target).toBe(clusterScope('domain-c1'));
    expect(audit?.to).toContain('email on job_paused,job_failed');
    // The cluster view shows it; the global view lists the cluster's own settings by name.
    expect(text(await f.harness.say(USERS.viewer, 'notify cluster lab-a'))).toContain(
      '**email**: job_paused, job_failed',
    );
    expect(text(await f.harness.say(USERS.viewer, 'notify'))).toContain(
      '- lab-a: email on job_paused,job_failed',
    );
    // Off wins for the kinds named, the rest stays.
    await f.harness.say(USERS.operator, 'notify email off job_failed cluster lab-a');
    const after = await loadScope(f.store, clusterScope('domain-c1'));
    expect(after.on.email).toEqual(['job_paused']);
    expect(after.off.email).toEqual(['job_failed']);
  });

  it('global settings need an admin: an operator is refused and nothing changes', async () => {
    const t = text(await f.harness.say(USERS.operator, 'notify channel on all'));
    expect(t).toMatch(/needs the \*\*admin\*\* role/);
    expect(await stored(GLOBAL_SCOPE)).toBeUndefined();
    const ok = text(await f.harness.say(USERS.admin, 'notify channel on all'));
    expect(ok).toContain('**channel**: job_paused, approval_needed, job_completed, job_failed');
    expect((await loadScope(f.store, GLOBAL_SCOPE)).on.channel).toEqual([...NOTIFICATION_KINDS]);
  });

  it('bad input: a clear error, no change', async () => {
    const before = JSON.stringify(await stored(clusterScope('domain-c2')));
    const cases: [string, RegExp][] = [
      [
        'notify email on job_exploded cluster prod-a',
        /unknown event kind `job_exploded`.*Nothing was changed/,
      ],
      ['notify pager on all cluster prod-a', /Bad `CHANNEL`/],
      ['notify email maybe all cluster prod-a', /Bad `MODE`/],
      ['notify email on', /give on\|off and KINDS/],
      ['notify email on all cluster nowhere', /nowhere/],
    ];
    for (const [cmd, msg] of cases) expect(text(await f.harness.say(USERS.admin, cmd))).toMatch(msg);
    expect(JSON.stringify(await stored(clusterScope('domain-c2')))).toBe(before);
  });

  it('e-mail addresses: admin only, validated, normalised, removable', async () => {
    expect(text(await f.harness.say(USERS.operator, 'notify email add oncall@example.com'))).toMatch(
      /needs the \*\*admin\*\* role/,
    );
    expect(text(await f.harness.say(USERS.admin, 'notify email add not-an-address'))).toMatch(
      /Bad `ADDRESS`/,
    );
    const t = text(await f.harness.say(USERS.admin, 'notify email add OnCall@Example.com'));
    expect(t).toContain('**e-mail to**: oncall@example.com');
    await f.harness.say(USERS.admin, 'notify email add team@example.com cluster prod-a');
    expect((await loadScope(f.store, clusterScope('domain-c2'))).emails).toEqual(['team@example.com']);
    expect(text(await f.harness.say(USERS.viewer, 'notify cluster prod-a'))).toContain(
      '**e-mail to**: team@example.com, oncall@example.com',
    );
    expect(text(await f.harness.say(USERS.admin, 'notify email remove nobody@example.com'))).toContain(
      'is not on the global e-mail list',
    );
    await f.harness.say(USERS.admin, 'notify email remove oncall@example.com');
    expect((await loadScope(f.store, GLOBAL_SCOPE)).emails).toEqual([]);
  });

  it('notify log shows a job paused being delivered, and failures', async () => {
    f.blockers = { LABA001: [vm('vm-1', 'usb_passthrough', 'critical')] };
    await f.harness.say(USERS.operator, 'update cluster lab-a');
    const job = (await f.store.listRecentJobs({ limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'paused',
    );
    const logged = await eventually(
      async () => text(await f.harness.say(USERS.viewer, `notify log ${job.id}`)),
      (t) => t.includes('**job_paused**') && t.includes('delivered'),
    );
    expect(logged).toContain(`job:${job.id} → conversation`);
    await recordDelivery(
      f.store,
      'dead-one',
      {
        eventKey: 'job_failed:job:X:abc',
        kind: 'job_failed',
        subject: 'job:X',
        channel: 'email',
        recipient: 'oncall@example.com',
        attempts: 4,
        status: 'dead',
        error: 'Error: connect ECONNREFUSED',
        at: new Date().toISOString(),
      },
      Date.now(),
    );
    const all = text(await f.harness.say(USERS.viewer, 'notify log'));
    expect(all).toContain('1 failed');
    expect(all).toMatch(
      /❌ .*\*\*job_failed\*\* job:X → email oncall@example.com · dead after 4 attempts · Error: connect ECONNREFUSED/,
    );
    expect(all).toContain(`job:${job.id}`);
    expect(text(await f.harness.say(USERS.viewer, 'notify log 01NOSUCHJOB'))).toContain(
      'No notifications for job 01NOSUCHJOB',
    );
  });
});
