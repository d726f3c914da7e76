import { describe, expect, it, vi } from 'vitest';
import { loadConversation } from '../src/records';
import { USERS, startBotFixture } from './support/bot-fixture';

describe('the conversation record proactive messages and card updates need', () => {
  it('is written to each Store: a second stack in the same process (a scenario file, a restart) has it too', async () => {
    for (const round of [1, 2]) {
      const f = await startBotFixture();
      try {
        await f.harness.say(USERS.operator, 'status');
        expect(await loadConversation(f.store, 'conv-1'), `stack ${round}`).toMatchObject({
          conversation: { id: 'conv-1' },
        });
      } finally {
        await f.close();
      }
    }
  });

  it("does not hold up a conversation's first reply; the turn ends with it written, and a read meanwhile waits for it", async () => {
    const f = await startBotFixture();
    const put = f.store.putRecord.bind(f.store);
    const c = 'conv-first-reply';
    let repliedBeforeWrite: boolean | undefined;
    let readMeanwhile: Promise<unknown> | undefined;
    // The record's write is held until the reply is out (or 3 s): a bot that waited for it before replying would
    // show no reply when the write is let go.
    const spy = vi.spyOn(f.store, 'putRecord').mockImplementation(async (rec, opts) => {
      if (rec.type === 'conversation' && rec.id === c) {
        const until = Date.now() + 3000;
        while (f.harness.transcript(c).length === 0 && Date.now() < until)
          await new Promise((r) => setTimeout(r, 5));
        repliedBeforeWrite = f.harness.transcript(c).length > 0;
        readMeanwhile = loadConversation(f.store, c);
      }
      return put(rec, opts);
    });
    try {
      const replies = await f.harness.say(USERS.operator, 'help', c);
      expect(replies.length).toBeGreaterThan(0);
      expect(repliedBeforeWrite).toBe(true);
      // The turn did not end before the write: the record is there as soon as say() returns.
      spy.mockRestore();
      expect(await f.store.getRecord('conversation', c)).toMatchObject({ data: { conversation: { id: c } } });
      // A proactive send from this process that read while the write was under way found the record.
      expect(await readMeanwhile).toMatchObject({ conversation: { id: c } });
    } finally {
      spy.mockRestore();
      await f.close();
    }
  });

  it("is written once when the conversation's next message comes while the first one's write is under way", async () => {
    const f = await startBotFixture();
    const put = f.store.putRecord.bind(f.store);
    const c = 'conv-two-quick';
    const replies = () => f.harness.transcript(c).length;
    let writes = 0;
    // The first write is held until both messages are answered (or 3 s).
    const spy = vi.spyOn(f.store, 'putRecord').mockImplementation(async (rec, opts) => {
      if (rec.type === 'conversation' && rec.id === c) {
        writes++;
        const until = Date.now() + 3000;
        while (replies() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      }
      return put(rec, opts);
    });
    try {
      const first = f.harness.say(USERS.operator, 'help', c);
      while (replies() < 1) await new Promise((r) => setTimeout(r, 5));
      await Promise.all([first, f.harness.say(USERS.operator, 'help', c)]);
      expect(replies()).toBeGreaterThanOrEqual(2);
      expect(writes).toBe(1);
    } finally {
      spy.mockRestore();
      await f.close();
    }
  });
});
