import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotFixture, USERS, eventually, startBotFixture } from './support/bot-fixture';

const text = (replies: { text?: string }[]): string => replies.map((r) => r.text ?? '').join('\n');

describe('rollout policies from chat: continue-on-failure, stale-jobs, blockers', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const newest = async () => (await f.store.listJobsByTarget('cluster', 'domain-c1', { limit: 1 })).items[0];

  it.each([
    ['', {}],
    [' continue-on-failure', { continueOnFailure: true }],
    [' stale-jobs clear', { staleJobs: 'clear' }],
    [' blockers pause', { interactive: true }],
    [' blockers skip', { interactive: false, blockerPolicy: 'skip_host' }],
    [
      ' blockers fail stale-jobs fail continue-on-failure',
      {
        interactive: false,
        blockerPolicy: 'fail',
        staleJobs: 'fail',
        continueOnFailure: true,
      },
    ],
  ])('update cluster lab-a%s → params %j, shown on the card', async (words, params) => {
    f.blockers = {};
    const c = `conv-pol-${words.trim().replace(/\W+/g, '-') || 'none'}`;
    await f.harness.say(USERS.operator, `update cluster lab-a${words}`, c);
    const job = await newest();
    expect(job?.params).toMatchObject(params);
    for (const k of ['continueOnFailure', 'staleJobs', 'blockerPolicy', 'interactive'])
      if (!(k in params)) expect(job?.params).not.toHaveProperty(k);
    const card = JSON.stringify(f.harness.lastCard(c)?.activity ?? {});
    for (const [k, v] of Object.entries(params)) expect(card).toContain(`${k}=${String(v)}`);
    await eventually(
      () => f.store.getJob(job!.id),
      (j) => ['completed', 'failed', 'cancelled'].includes(j?.status ?? ''),
    );
  });

  it('a value that is not a policy is refused with the choices, and no job is created', async () => {
    const before = (await f.store.listRecentJobs({ limit: 100 })).items.length;
    const t = text(
      await f.harness.say(USERS.operator, 'update cluster lab-a blockers maybe', 'conv-pol-bad'),
    );
    expect(t).toMatch(/pause.*skip.*fail/);
    expect((await f.store.listRecentJobs({ limit: 100 })).items.length).toBe(before);
  });

  // What the workflow does with them: lambdas/test/job-ops-workflow.test.ts (`blockers skip|fail` from chat).

  it('update host takes the same words', async () => {
    await f.harness.say(
      USERS.operator,
      'update host LABA002 stale-jobs clear continue-on-failure',
      'conv-pol-host',
    );
    const job = (await f.store.listJobsByTarget('host', 'LABA002', { limit: 1 })).items[0];
    expect(job?.params).toMatchObject({ staleJobs: 'clear', continueOnFailure: true });
  });
});
