import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { BotConfig } from '../src/config';
import { JobCards } from '../src/job-cards';
import { LiveCards } from '../src/live-cards';
import { type BotFixture, CONFIG, USERS, startBotFixture } from './support/bot-fixture';

describe('live progress cards, throttled per job across processes (Store-kept state, dynalite)', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('at most one update per interval, the latest state when sent, unchanged cards not re-sent', async () => {
    const job = await f.store.createJob(aJob({ target: { kind: 'cluster', id: 'domain-c1' } }));
    await f.store.transitionJob(job.id, { type: 'start', actor: { kind: 'system', id: 'workflow' } });
    await f.harness.say(USERS.viewer, `job ${job.id}`);
    const entry = () =>
      f.harness
        .transcript()
        .find((e) => e.activity.attachments?.length && JSON.stringify(e.activity).includes(job.id));
    expect(entry()).toBeDefined();
    let t = Date.parse('2026-12-05T10:00:00Z');
    const clock = { now: () => new Date(t) };
    const logger = pino({ level: 'silent' });
    // A Lambda container: its own JobCards (its own memory), the bot's gateway.
    const process = () =>
      new LiveCards({
        store: f.store,
        clock,
        logger,
        minIntervalMs: 3000,
        jobCards: new JobCards({
          store: f.store,
          config: BotConfig.parse(CONFIG),
          clock,
          logger,
          gateway: f.harness.gateway,
        }),
      });
    const a = process();
    expect(await a.update(job.id)).toBe('updated');
    const base = entry()!.updates;

    const step = (key: string, name: string) =>
      f.store.putStep({ jobId: job.id, key, name, order: 1, status: 'running', hostId: 'LABA001' });
    await step('s1', 'Enter maintenance mode');
    t += 1000;
    expect(await a.update(job.id)).toBe('throttled');
    await step('s2', 'Apply firmware');
    t += 1000;
    expect(await a.update(job.id)).toBe('throttled');
    expect(entry()!.updates).toBe(base);
    // After the interval: one update, with the latest state.
    t += 1500;
    expect(await a.update(job.id)).toBe('updated');
    expect(entry()!.updates).toBe(base + 1);
    expect(JSON.stringify(entry()!.activity)).toContain('Apply firmware');

    // Nothing changed: another process (a cold container) renders the same card and does not send it.
    t += 5000;
    expect(await process().update(job.id)).toBe('updated');
    expect(entry()!.updates).toBe(base + 1);

    // Two calls at once in two containers (a Map over hosts): one takes the slot.
    await step('s3', 'Reboot');
    t += 5000;
    const both = await Promise.all([process().update(job.id), process().update(job.id)]);
    expect(both.sort()).toEqual(['throttled', 'updated']);
    expect(entry()!.updates).toBe(base + 2);
    expect(JSON.stringify(entry()!.activity)).toContain('Reboot');
  });

  it('progress cards carry a Universal Actions refresh bound to the job', async () => {
    const job = await f.store.createJob(aJob({ target: { kind: 'cluster', id: 'domain-c1' } }));
    await f.store.transitionJob(job.id, { type: 'start', actor: { kind: 'system', id: 'workflow' } });
    await f.harness.say(USERS.viewer, `job ${job.id}`);
    const card = f.harness
      .transcript()
      .map(
        (e) =>
          e.activity.attachments?.[0]?.content as
            | { refresh?: { action: Record<string, unknown> } }
            | undefined,
      )
      .filter((c) => c && JSON.stringify(c).includes(job.id))
      .at(-1);
    expect(card?.refresh?.action).toMatchObject({ type: 'Action.Execute', verb: 'job.refresh' });
    expect(JSON.stringify(card?.refresh?.action.data)).toContain(job.id);
  });
});
