import type { Job } from '@rackops/core/jobs/job.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationTag } from '../../src/cards/card-data';
import { type ClickResult, type TranscriptEntry, cardActions, cardOf } from '../../src/testing/harness';
import { type BotFixture, USERS, startBotFixture } from '../support/bot-fixture';

/**
 * Issue 18, item 5: signed card data of one job, submitted from another job's card in another conversation,
 * acted on the first job. Card data is now bound to its conversation, its card's message and its job.
 */
const buttonData = (entry: TranscriptEntry, title: string): Record<string, unknown> =>
  structuredClone(cardActions(cardOf(entry.activity)!).find((a) => a.title === title)!.data);

const said = (r: ClickResult): string =>
  r.replies.map((x) => x.text ?? '').join('\n') + JSON.stringify(r.invokeResponse ?? '');

describe('security: card data acts only from the card it was drawn on', () => {
  let f: BotFixture;
  let conv = 0;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function request(c = `cb-${++conv}`): Promise<{ job: Job; entry: TranscriptEntry; c: string }> {
    await f.harness.say(USERS.operator, 'update cluster prod-a', c);
    const job = (await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 1 })).items[0]!;
    return { job, entry: f.harness.lastCard(c)!, c };
  }

  async function expectUntouched(job: Job): Promise<void> {
    expect(await f.store.getJob(job.id)).toEqual(job);
  }

  const actions = async (actorId: string): Promise<string[]> =>
    (await f.store.listAuditByActor(actorId, { limit: 200 })).items.map((a) => a.action);

  for (const via of ['execute', 'submit'] as const) {
    it(`job A's signed Approve, submitted from job B's card in another conversation, does not approve A (${via})`, async () => {
      const a = await request();
      const b = await request();
      const r = await f.harness.submitCardData(USERS.approver, b.entry, buttonData(a.entry, 'Approve'), via);
      expect(said(r)).toContain('belongs to a card in another conversation');
      await expectUntouched(a.job);
      await expectUntouched(b.job);
      expect(await actions('aad-appr')).toContain('security.card_conversation_mismatch');
    });

    it(`a confirmation card's Confirm, replayed in another conversation, runs nothing (${via})`, async () => {
      const c = `cb-${++conv}`;
      await f.harness.say(USERS.operator, 'media eject LABA004', c);
      const confirm = f.harness.lastCard(c, 'Confirm')!;
      const other = await request();
      const before = (await f.store.listJobsByTarget('host', 'LABA004', { limit: 50 })).items.length;
      const r = await f.harness.submitCardData(
        USERS.operator,
        other.entry,
        buttonData(confirm, 'Confirm'),
        via,
      );
      expect(said(r)).toContain('another conversation');
      expect((await f.store.listJobsByTarget('host', 'LABA004', { limit: 50 })).items.length).toBe(before);
    });

    it(`card data without a conversation tag (drawn the old way) is refused with a clear message (${via})`, async () => {
      const a = await request();
      const { cv: _dropped, ...unbound } = buttonData(a.entry, 'Approve');
      const r = await f.harness.submitCardData(USERS.approver, a.entry, unbound, via);
      expect(said(r)).toContain('before cards were bound');
      await expectUntouched(a.job);
    });

    it(`a conversation tag rewritten to the submitting conversation does not verify (${via})`, async () => {
      const a = await request();
      const b = await request();
      const forged = { ...buttonData(a.entry, 'Approve'), cv: conversationTag(b.c) };
      const r = await f.harness.submitCardData(USERS.approver, b.entry, forged, via);
      expect(said(r)).toContain('does not verify');
      await expectUntouched(a.job);
    });

    it(`oversize card data (30 KB of extra inputs) is refused before it is parsed (${via})`, async () => {
      const a = await request();
      const big = { ...buttonData(a.entry, 'Approve'), in_x: 'x'.repeat(30_000) };
      const r = await f.harness.submitCardData(USERS.approver, a.entry, big, via);
      expect(said(r)).toContain('too large');
      await expectUntouched(a.job);
    });

    it(`a comment over 300 characters is refused with a clear message, not cut silently (${via})`, async () => {
      const a = await request();
      const r = await f.harness.click(USERS.approver, a.entry, 'Approve', {
        via,
        inputs: { in_comment: 'y'.repeat(301) },
      });
      expect(said(r)).toContain('at most 300 characters; yours has 301');
      await expectUntouched(a.job);
    });
  }

  it('a Teams channel click (conversation id with `;messageid=`) still acts: the channel is the conversation', async () => {
    const a = await request('19:chan@thread.tacv2');
    const thread = { ...a.entry, conversationId: `19:chan@thread.tacv2;messageid=${a.entry.id}` };
    const r = await f.harness.submitCardData(
      USERS.approver,
      thread,
      buttonData(a.entry, 'Approve'),
      'execute',
    );
    expect(said(r)).toContain('Approved by Ada Approver');
  });

  it("job A's Approve sent from job B's card message in the same conversation is refused (security.card_message_mismatch)", async () => {
    const a = await request();
    const b = await request(a.c);
    const r = await f.harness.submitCardData(
      USERS.approver,
      b.entry,
      buttonData(a.entry, 'Approve'),
      'execute',
    );
    expect(said(r)).toContain('does not belong to the card it was sent from');
    await expectUntouched(a.job);
    await expectUntouched(b.job);
    expect((await f.store.listAuditByJob(a.job.id)).map((x) => x.action)).toContain(
      'security.card_message_mismatch',
    );
  });
});
