import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotFixture, USERS, eventually, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

describe('cluster NAME set POLICY=VALUE: rollout defaults per cluster, set by admins', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });
  const newest = async (kind: 'cluster' | 'host', id: string) =>
    (await f.store.listJobsByTarget(kind, id, { limit: 1 })).items[0];
  const settle = (jobId: string) =>
    eventually(
      () => f.store.getJob(jobId),
      (j) => ['completed', 'failed', 'cancelled'].includes(j?.status ?? ''),
    );

  it('nothing set: workflow defaults', async () => {
    expect(text(await f.harness.say(USERS.viewer, 'cluster lab-a show'))).toBe(
      'Cluster **lab-a** rollout defaults: workflow defaults.',
    );
  });

  it('an admin sets them; anyone may look; the audit trail has who and what', async () => {
    expect(text(await f.harness.say(USERS.admin, 'cluster lab-a set blockers=skip stale-jobs=clear'))).toBe(
      'Cluster **lab-a** rollout defaults are now: stale-jobs=clear blockers=skip. `update cluster lab-a` uses them for what it does not name.',
    );
    expect(text(await f.harness.say(USERS.viewer, 'cluster lab-a show'))).toBe(
      'Cluster **lab-a** rollout defaults: stale-jobs=clear blockers=skip.',
    );
    const audit = (await f.store.listAuditByActor(USERS.admin.aadObjectId, { limit: 10 })).items.find(
      (a) => a.action === 'cluster.policy',
    );
    expect(audit).toMatchObject({ from: 'workflow defaults', to: 'stale-jobs=clear blockers=skip' });
  });

  it('update cluster takes the defaults for what it does not name; its own words win', async () => {
    f.blockers = {};
    await f.harness.say(USERS.operator, 'update cluster lab-a', 'conv-cp-1');
    const first = await newest('cluster', 'domain-c1');
    expect(first?.params).toMatchObject({
      staleJobs: 'clear',
      interactive: false,
      blockerPolicy: 'skip_host',
    });
    expect(JSON.stringify(f.harness.lastCard('conv-cp-1')?.activity ?? {})).toContain('staleJobs=clear');
    await settle(first!.id);

    await f.harness.say(USERS.operator, 'update cluster lab-a blockers pause stale-jobs fail', 'conv-cp-2');
    const second = await newest('cluster', 'domain-c1');
    expect(second?.params).toMatchObject({ staleJobs: 'fail', interactive: true });
    expect(second?.params).not.toHaveProperty('blockerPolicy');
    await settle(second!.id);
  });

  it("update host of one of the cluster's hosts takes them too", async () => {
    await f.harness.say(USERS.operator, 'update host LABA003', 'conv-cp-3');
    expect((await newest('host', 'LABA003'))?.params).toMatchObject({
      staleJobs: 'clear',
      blockerPolicy: 'skip_host',
    });
  });

  it('default unsets one; continue-on-failure on and off', async () => {
    await f.harness.say(USERS.admin, 'cluster lab-a set blockers=default continue-on-failure=on');
    expect(text(await f.harness.say(USERS.viewer, 'cluster lab-a show'))).toBe(
      'Cluster **lab-a** rollout defaults: continue-on-failure=on stale-jobs=clear.',
    );
    await f.harness.say(USERS.admin, 'cluster lab-a set continue-on-failure=off stale-jobs=default');
    expect(text(await f.harness.say(USERS.viewer, 'cluster lab-a show'))).toBe(
      'Cluster **lab-a** rollout defaults: continue-on-failure=off.',
    );
  });

  it.each([
    [
      'cluster lab-a set blockers=maybe',
      'blockers cannot be `maybe`: it is one of pause, skip, fail, default',
    ],
    ['cluster lab-a set blockers=skip colour=blue', '`colour=blue` is not a policy'],
    ['cluster lab-a set', 'say what to set'],
    ['cluster lab-a frobnicate', '`cluster lab-a` takes `show` or `set POLICY=VALUE …`'],
    ['cluster nosuch set blockers=skip', 'nosuch'],
  ])('%s is refused, clearly, and changes nothing', async (cmd, why) => {
    const before = text(await f.harness.say(USERS.viewer, 'cluster lab-a show'));
    expect(text(await f.harness.say(USERS.admin, cmd))).toContain(why);
    expect(text(await f.harness.say(USERS.viewer, 'cluster lab-a show'))).toBe(before);
  });

  it('only an admin may set them', async () => {
    expect(text(await f.harness.say(USERS.operator, 'cluster lab-a set blockers=fail'))).toContain(
      'needs the **admin** role',
    );
    expect(text(await f.harness.say(USERS.viewer, 'cluster lab-a show'))).not.toContain('blockers=fail');
  });
});
