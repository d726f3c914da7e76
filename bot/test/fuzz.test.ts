import { mulberry32 } from '@rackops/core/util/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/grammar/commands';
import { parseCommand } from '../src/grammar/parse';
import { type TranscriptEntry, cardActions, cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 10_000);
/** Commands that change state when valid; a random message that happens to be one is not sent (it is valid input). */
const CHANGING = new Set(['updateCluster', 'updateHost', 'inventorySync', 'cancel', 'scpExport']);
const WORDS = [
  ...Object.values(COMMANDS).flatMap((c) => c.usage.split(' ')),
  'lab-a',
  'prod-a',
  'LABA001',
  'now',
  'graceful',
  'force',
  'at',
  'batch',
  '-1',
  '0',
  '99999',
  '+5m',
  '25:99',
  'https://x/y.iso',
  'ftp://x',
  '"quoted value"',
  '<at>RackOps</at>',
  '💥',
  '\u0000',
  '\u202e',
  'a'.repeat(300),
  '{"verb":"x"}',
];
const JUNK = ['', null, 0, -1, 1e308, true, [], {}, 'x'.repeat(5000), { $gt: '' }, ['a'], '__proto__', NaN];

describe('fuzz: 10,000 random and mutated chat messages and card payloads', () => {
  let f: BotFixture;
  const buttons: { entry: TranscriptEntry; data: Record<string, unknown>; verb: string }[] = [];

  beforeAll(async () => {
    f = await startBotFixture();
    // Something to aim at: a paused job with a wizard, a production job awaiting approval, a confirmation card.
    f.blockers = { LABA001: [vm('f1', 'usb_passthrough', 'critical'), vm('f2', 'connected_iso', 'warning')] };
    await f.harness.say(USERS.operator, 'update cluster lab-a', 'fz');
    const paused = (await f.store.listRecentJobs({ limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(paused.id),
      (j) => j?.status === 'paused',
    );
    await eventually(
      async () => f.harness.lastCard('fz', 'Resume job'),
      (e) => !!e,
    );
    await f.harness.say(USERS.operator, 'update cluster prod-a', 'fz');
    await f.harness.say(USERS.operator, 'power LABA002 off', 'fz');
    for (const entry of f.harness.transcript('fz')) {
      const card = cardOf(entry.activity);
      if (card)
        for (const a of cardActions(card))
          buttons.push({ entry, data: structuredClone(a.data), verb: a.verb });
    }
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  async function snapshot(): Promise<string> {
    const jobs = (await f.store.listRecentJobs({ limit: 100 })).items;
    const items = [];
    for (const j of jobs)
      for (const kind of ['blocker', 'resolution', 'approval', 'token', 'note'] as const)
        items.push(await f.store.listJobItems(j.id, kind));
    const used = (await f.store.listRecordsByType('card-used', { limit: 100 })).items.map((r) => r.id);
    return JSON.stringify({ jobs, items, used });
  }

  function mutateText(r: () => number): string {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    if (r() < 0.5) {
      return Array.from({ length: 1 + Math.floor(r() * 7) }, () => pick(WORDS)).join(r() < 0.8 ? ' ' : '');
    }
    // Mutate a valid example: substitute, delete or insert characters.
    const base = [...pick(Object.values(COMMANDS).flatMap((c) => c.examples))];
    for (let i = 0; i < 1 + Math.floor(r() * 4); i++) {
      const at = Math.floor(r() * (base.length + 1));
      const op = r();
      if (op < 0.33) base.splice(at, 1);
      else if (op < 0.66) base.splice(at, 0, String.fromCharCode(32 + Math.floor(r() * 95)));
      else base[at] = String.fromCharCode(Math.floor(r() * 0xffff));
    }
    return base.join('');
  }

  /** A mutation that happens to reproduce the original (p.v = 0 on a version-0 job) would be valid input: corrupt the signature instead. */
  function mutatePayload(r: () => number, data: Record<string, unknown>, verb: string): unknown {
    const out = mutateOnce(r, data, verb);
    return JSON.stringify(out) === JSON.stringify(data) ? { ...data, sig: 'e'.repeat(64) } : out;
  }

  function mutateOnce(r: () => number, data: Record<string, unknown>, verb: string): unknown {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const d = structuredClone(data);
    const p = d.p as Record<string, unknown>;
    switch (Math.floor(r() * 8)) {
      case 0: {
        const sig = String(d.sig);
        const i = Math.floor(r() * sig.length);
        d.sig = sig.slice(0, i) + (sig[i] === 'a' ? 'b' : 'a') + sig.slice(i + 1);
        return d;
      }
      case 1:
        p[pick(Object.keys(p))] = pick(JUNK);
        return d;
      case 2:
        d.verb = pick([
          'job.approve',
          'job.reject',
          'job.cancel',
          'wizard.submit',
          'confirm.run',
          'nope',
          42,
        ]);
        return d.verb === verb ? { ...d, sig: '0'.repeat(64) } : d;
      case 3:
        delete d[pick(['verb', 'p', 'sig'])];
        return d;
      case 4:
        return pick(JUNK);
      case 5:
        p.jobId = `01${Math.floor(r() * 1e9)}`;
        return d;
      case 6:
        // Signed data intact, but every wizard input invalid: must be refused without writing anything.
        if (verb.startsWith('wizard.'))
          return {
            ...d,
            h0_v0: pick(['explode', 'Power_Off', '', 7]),
            h0_v1: 'x',
            h0_skip: 'maybe',
            h0_order: '-3',
          };
        return { ...d, sig: 'z'.repeat(64) };
      default:
        p.v = Number(p.v ?? 0) + 1 + Math.floor(r() * 3);
        return d;
    }
  }

  it('never crashes, never answers with an unexpected error, and invalid input changes no state', async () => {
    const before = await snapshot();
    // Seeded, so a failure can be replayed.
    const r = mulberry32(20261128);
    const users = Object.values(USERS);
    let sentText = 0;
    let sentCards = 0;
    let skippedValid = 0;
    // Inputs are drawn in order from the seeded PRNG, then sent in concurrent batches (distinct conversations).
    const BATCH = 16;
    for (let start = 0; start < ITERATIONS; start += BATCH) {
      const sends: (() => Promise<{ text?: string }[]>)[] = [];
      for (let i = start; i < Math.min(start + BATCH, ITERATIONS); i++) {
        const user = users[Math.floor(r() * users.length)]!;
        if (r() < 0.4) {
          const text = mutateText(r);
          const parsed = parseCommand(text);
          if (parsed.ok && CHANGING.has(parsed.command.name)) {
            skippedValid++;
            continue;
          }
          sentText++;
          sends.push(() => f.harness.say(user, text, `fuzz-${i % BATCH}`));
        } else {
          const b = buttons[Math.floor(r() * buttons.length)]!;
          const payload = mutatePayload(r, b.data, b.verb);
          const via = r() < 0.5 ? 'execute' : 'submit';
          sentCards++;
          sends.push(
            async () => (await f.harness.submitCardData(user, b.entry, payload, via, b.verb)).replies,
          );
        }
      }
      const results = await Promise.all(sends.map((send) => send()));
      for (const reply of results.flat())
        expect(reply.text ?? '', `batch at ${start}`).not.toContain('Something went wrong');
    }
    expect(sentText + sentCards + skippedValid).toBe(ITERATIONS);
    expect(sentCards).toBeGreaterThan(ITERATIONS / 2);
    const after = await snapshot();
    if (after !== before) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync('/tmp/fuzz-before.json', before);
      writeFileSync('/tmp/fuzz-after.json', after);
    }
    expect(after).toBe(before);
  }, 600_000);
});
