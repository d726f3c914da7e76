import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILED } from '../src/grammar/commands';
import { helpAll, helpFor } from '../src/grammar/help';
import { parseCommand } from '../src/grammar/parse';
import { markupHazards, visibleTexts } from '../src/testing/chat-markup';
import { type TranscriptEntry, cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

/** Problems per text, so a failure names the text and what a renderer would eat. */
const hazardsIn = (texts: string[]) =>
  texts.map((text) => ({ text, hazards: markupHazards(text) })).filter((t) => t.hazards.length > 0);

/**
 * Every way to get a command wrong that the grammar knows: the bare command (missing values), each keyword
 * without its value, a value its schema refuses, an extra word, and a near miss of its words.
 */
function malformedInputs(): string[] {
  const out: string[] = [];
  for (const c of COMPILED) {
    const words = c.spec.words.join(' ');
    out.push(words, `${words} x y z w v`, `${words.slice(0, -1)}`);
    for (const s of c.spec.slots) if (s.kind === 'keyword') out.push(`${c.def.examples[0]} ${s.keyword}`);
  }
  out.push(
    'update cluster lab-a batch zero',
    'update cluster lab-a at tomorrow',
    'power LABA003 explode',
    'media mount LABA003 ftp://x/y.iso',
    'jobs sideways',
    'job !!',
    'hosts lab-a;rm',
    'make me a sandwich',
    '',
    `status ${'x'.repeat(2100)}`,
  );
  return out;
}

describe('no text the bot sends is eaten as HTML (Teams markdown, Web Chat markdown)', () => {
  it('the checker finds tags and entities, and only those', () => {
    expect(markupHazards('Missing <name>. `cancel <id> [graceful|now]` &lt;x&gt; &amp; &#60;')).toEqual([
      '<name>',
      '<id>',
      '&lt;',
      '&gt;',
      '&amp;',
      '&#60;',
    ]);
    expect(markupHazards('2 < 3 and 4 > 1; `update cluster NAME [at TIME]` — R&D')).toEqual([]);
  });

  it('help, help for every command, and every usage or parse error', () => {
    const texts = [
      helpAll(),
      ...COMPILED.flatMap((c) => [c.spec.display, helpFor(c.spec.words), ...c.def.examples]),
      helpFor(['nothing-like-it']),
      ...malformedInputs().map((input) => {
        const r = parseCommand(input);
        return r.ok ? '' : r.message;
      }),
    ];
    expect(hazardsIn(texts)).toEqual([]);
  });

  describe('through the real bot (TestAdapter, dynalite, local engine)', () => {
    let f: BotFixture;
    beforeAll(async () => {
      f = await startBotFixture();
    });
    afterAll(async () => {
      await f?.close();
    });

    /** What the bot showed since entry `from` (in-place updates included: an entry holds its latest version). */
    const shownSince = (from: number): string[] =>
      f.harness.adapter.entries.slice(from).flatMap((e) => visibleTexts(e.activity));

    it('every command: help, malformed, refused, unknown target, and what it answers when it works', async () => {
      const from = f.harness.adapter.entries.length;
      // The welcome, when someone opens the chat.
      await f.harness.send(USERS.viewer, {
        type: 'conversationUpdate',
        membersAdded: [{ id: USERS.viewer.id, name: USERS.viewer.name }],
      });
      for (const c of COMPILED) await f.harness.say(USERS.viewer, `help ${c.spec.words.join(' ')}`);
      await f.harness.say(USERS.viewer, 'help');
      for (const input of malformedInputs()) await f.harness.say(USERS.admin, input, 'conv-bad');
      // Refusals: every command as someone with too little (or no) role.
      for (const c of COMPILED) {
        await f.harness.say(USERS.viewer, c.def.examples[0] ?? c.spec.words.join(' '), 'conv-refused');
        await f.harness.say(USERS.stranger, c.def.examples[0] ?? c.spec.words.join(' '), 'conv-refused');
      }
      for (const input of [
        'hosts nope',
        'compliance nope',
        'server NOPE',
        'job 01NOPE',
        'cancel 01NOPE',
        'resume 01NOPE',
        'update cluster nope',
        'update host NOPE',
        'power NOPE on',
        'scp export NOPE',
        'inventory sync ome',
      ])
        await f.harness.say(USERS.admin, input, 'conv-unknown');
      for (const input of [
        'status',
        'hosts lab-a',
        'server laba001',
        'compliance lab-a',
        'approvals',
        'jobs',
        'windows',
        'notify',
        'power LABA003 restart',
        'media eject LABA003',
        'update cluster lab-a dry-run',
        'update cluster lab-a at +30m',
      ])
        await f.harness.say(USERS.operator, input, 'conv-ok');
      const job = (await f.store.listRecentJobs({ limit: 1 })).items[0]!;
      await f.harness.say(USERS.operator, `job ${job.id}`, 'conv-ok');
      await f.harness.say(USERS.operator, `resume ${job.id}`, 'conv-ok');
      await f.harness.say(USERS.operator, `resume ${job.id} force`, 'conv-ok');
      await f.harness.say(USERS.operator, `cancel ${job.id}`, 'conv-ok');
      await f.harness.say(USERS.operator, `cancel ${job.id}`, 'conv-ok');
      await f.harness.say(USERS.operator, 'jobs', 'conv-ok');
      const shown = shownSince(from);
      expect(shown.some((t) => t.includes("I'm **RackOps**"))).toBe(true);
      expect(hazardsIn(shown)).toEqual([]);
    });

    it('four-eyes and the blocker wizard: cards, clicks, refusals and notifications', async () => {
      const from = f.harness.adapter.entries.length;
      f.blockers = { PROD001: [vm('b1', 'usb_passthrough', 'critical')] };
      await f.harness.say(USERS.operator, 'update cluster prod-a', 'conv-4e');
      const approval = (): TranscriptEntry => f.harness.lastCard('conv-4e', 'Approve')!;
      await f.harness.click(USERS.operator, approval(), 'Approve', { via: 'submit' });
      await f.harness.click(USERS.viewer, approval(), 'Approve', { via: 'execute' });
      await f.harness.click(USERS.approver, approval(), 'Approve', { via: 'submit' });
      const job = (await f.store.listJobsByTarget('cluster', 'domain-c2', { limit: 1 })).items[0]!;
      await eventually(
        () => f.store.getJob(job.id),
        (j) => j?.status === 'paused',
      );
      const wizard = await eventually(
        async () => f.harness.lastCard('conv-4e', 'Resume job'),
        (e) => !!e && !!cardOf(e.activity),
      );
      await f.harness.click(USERS.operator, wizard!, 'Resume job', { via: 'submit' });
      await eventually(
        () => f.store.getJob(job.id),
        (j) => j?.status === 'completed',
      );
      await f.harness.say(USERS.viewer, `job ${job.id}`, 'conv-4e');
      expect(hazardsIn(shownSince(from))).toEqual([]);
    });
  });
});
