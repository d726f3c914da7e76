import type { AdaptiveCard } from '@microsoft/teams-ai';
import { SYSTEM } from '@rackops/core/jobs/job.schema';
import { type TestStore, startTestStore } from '../../lambdas/test/helpers/dynalite-store';
import type { Activity } from 'botbuilder';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { BotConfig } from '../src/config';
import { JobCards } from '../src/job-cards';
import { saveConversation } from '../src/records';
import { cardOf } from '../src/testing/harness';

describe('job card updates', () => {
  let ts: TestStore;
  beforeAll(async () => {
    ts = await startTestStore();
  });
  afterAll(async () => {
    await ts?.close();
  });

  it('a slow earlier update never lands after a later one (a finished job is not shown as running again)', async () => {
    const { store } = ts;
    const created = await store.createJob(aJob({ params: { clusterName: 'lab-a' } }));
    const job = (await store.claimJob(created.id, SYSTEM, created.createdAt))!;
    const ref = {
      conversation: { id: 'conv-order', name: 'order', isGroup: false, conversationType: 'personal' },
    };
    await saveConversation(store, ref);
    // What the chat shows, in the order updates arrive; the first update is slow on the wire.
    const shown: Partial<Activity>[] = [];
    let slowNext = false;
    const gateway = {
      send: async () => 'm1',
      async update(_ref: unknown, _id: string, activity: Partial<Activity>) {
        if (slowNext) {
          slowNext = false;
          await new Promise((r) => setTimeout(r, 150));
        }
        shown.push(activity);
      },
    };
    const cards = new JobCards({
      store,
      config: BotConfig.parse({ cardSecret: 'order-test-secret-0123456789abcdef0123' }),
      clock: { now: () => new Date() },
      logger: pino({ level: 'silent' }),
      gateway,
    });
    await cards.post(
      { conversationId: 'conv-order', send: async () => 'm1', update: async () => {} },
      job.id,
    );
    await store.appendLog({ jobId: job.id, level: 'info', message: 'progress' });
    slowNext = true;
    const progress = cards.updateNow(job.id); // the poller's refresh: renders "running", slow to arrive
    await new Promise((r) => setTimeout(r, 20));
    await store.transitionJob(job.id, { type: 'complete', actor: SYSTEM, summary: 'all hosts updated' });
    const final = cards.updateNow(job.id); // the notifier's update after the job finished
    await Promise.all([progress, final]);
    const last = cardOf(shown.at(-1)) as AdaptiveCard;
    expect(JSON.stringify(last)).toContain('lab-a: all hosts updated');
    expect(JSON.stringify(last)).not.toContain('Cancel now');
  });
});
