import { isTerminal } from '@rackops/core/jobs/job.schema';
import type { Store } from '@rackops/core/ports/store.port';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BotFixture, USERS, eventually, startBotFixture } from './support/bot-fixture';

/** Store calls per method made while `fn` runs (the real Store answers each). */
async function storeCalls(store: Store, fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const methods = ['getRecord', 'getJob', 'listSteps', 'listJobItems', 'listLog', 'getJobItem'] as const;
  const spies = methods.map((m) => vi.spyOn(store, m));
  try {
    await fn();
    return Object.fromEntries(methods.map((m, i) => [m, spies[i]?.mock.calls.length ?? 0]));
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe('Store reads of a card action', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it.each(['submit', 'execute'] as const)(
    'a Refresh of a finished job (%s) reads the card location once and, of the job, its record alone',
    async (via) => {
      const c = `reads-${via}`;
      await f.harness.say(USERS.operator, 'scp export LABA001', c);
      const job = (await f.store.listJobsByTarget('host', 'LABA001', { limit: 1 })).items[0]!;
      await eventually(
        () => f.store.getJob(job.id),
        (j) => !!j && isTerminal(j.status),
      );
      const entry = f.harness.lastCard(c)!;
      let first: unknown;
      let second: unknown;
      const firstCalls = await storeCalls(f.store, async () => {
        first = (await f.harness.click(USERS.viewer, entry, 'Refresh', { via })).card;
      });
      const secondCalls = await storeCalls(f.store, async () => {
        second = (await f.harness.click(USERS.viewer, entry, 'Refresh', { via })).card;
      });
      // The card location once per turn, not once for the binding check and again for the update.
      expect(firstCalls.getRecord).toBe(1);
      // Unchanged version: the job is read, the view and card come from the cache, and they are the same card.
      expect(secondCalls).toEqual({ ...secondCalls, getJob: 1, listSteps: 0, listJobItems: 0, listLog: 0 });
      expect(secondCalls.getRecord).toBe(1);
      expect(second).toEqual(first);
    },
  );

  it('a Refresh reads its job beside the card location, not after it', async () => {
    const c = 'reads-parallel';
    await f.harness.say(USERS.operator, 'scp export LABA001', c);
    const entry = f.harness.lastCard(c)!;
    const getJob = f.store.getJob.bind(f.store);
    const getRecord = f.store.getRecord.bind(f.store);
    let jobRead = false;
    let jobReadDuringLocationRead: boolean | undefined;
    const jobSpy = vi.spyOn(f.store, 'getJob').mockImplementation(async (id) => {
      jobRead = true;
      return getJob(id);
    });
    // The card location's read is held until the job has been asked for (or 2 s): reads made one after the other
    // would only ask for the job once it is let go.
    const recordSpy = vi.spyOn(f.store, 'getRecord').mockImplementation(async (type, id) => {
      if (type === 'card') {
        const until = Date.now() + 2000;
        while (!jobRead && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        jobReadDuringLocationRead = jobRead;
      }
      return getRecord(type, id);
    });
    try {
      const { card } = await f.harness.click(USERS.viewer, entry, 'Refresh', { via: 'submit' });
      expect(card).toBeDefined();
    } finally {
      jobSpy.mockRestore();
      recordSpy.mockRestore();
    }
    expect(jobReadDuringLocationRead).toBe(true);
  });

  it('a card action (submit) updates the card before it writes its audit record', async () => {
    const c = 'reads-order';
    await f.harness.say(USERS.operator, 'scp export LABA001', c);
    const entry = f.harness.lastCard(c)!;
    const updatesAtAudit: number[] = [];
    const recordAudit = f.store.recordAudit.bind(f.store);
    const audit = vi.spyOn(f.store, 'recordAudit').mockImplementation(async (a) => {
      if (a.action === 'chat.card_action') updatesAtAudit.push(entry.updates);
      return recordAudit(a);
    });
    const before = entry.updates;
    try {
      await f.harness.click(USERS.viewer, entry, 'Refresh', { via: 'submit' });
    } finally {
      audit.mockRestore();
    }
    expect(updatesAtAudit).toEqual([before + 1]);
  });
});
