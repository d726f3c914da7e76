import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf } from '../src/testing/harness';
import { type BotFixture, USERS, eventually, startBotFixture, vm } from './support/bot-fixture';

describe('rolling update through chat and cards', () => {
  let f: BotFixture;
  beforeAll(async () => {
    f = await startBotFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers help with the command list', async () => {
    const replies = await f.harness.say(USERS.viewer, 'help');
    expect(replies[0]?.text).toContain('update cluster NAME');
  });

  it('update cluster lab-a pauses with a blocker card, resumes from a click, and completes', async () => {
    f.blockers = {
      LABA001: [vm('vm-1', 'usb_passthrough', 'critical'), vm('vm-2', 'connected_iso', 'warning')],
      LABA002: [vm('vm-3', 'vgpu', 'critical')],
    };
    await f.harness.say(USERS.operator, 'update cluster lab-a');
    const job = (await f.store.listRecentJobs({ limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'paused',
    );
    const entry = await eventually(
      async () => f.harness.lastCard('conv-1', 'Resume job'),
      (e) => !!e,
    );
    // The message follows the card update (the pipeline records the delivery first).
    const paused = await eventually(
      async () => f.harness.texts().some((t) => t.includes('Paused')),
      (told) => told,
    );
    expect(paused).toBe(true);
    const res = await f.harness.click(USERS.operator, entry!, 'Resume job', { via: 'submit' });
    expect(res.replies.map((r) => r.text).join('\n')).toContain('Resumed by Olga Operator');
    const done = await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'completed',
    );
    expect(done?.status).toBe('completed');
    const resolutions = await f.store.listJobItems(job.id, 'resolution');
    expect(resolutions.map((r) => r.key).sort()).toEqual(['LABA001', 'LABA002', '_order']);
    // One line names the target and the outcome; the card carries the rest.
    const told = await eventually(
      async () => f.harness.texts().find((t) => t.startsWith('✅')),
      (t) => !!t,
    );
    expect(told).toBe('✅ lab-a: all hosts updated');
    // The same message, updated in place: now the final progress card.
    const card = await eventually(
      async () => cardOf(f.harness.transcript().find((e) => e.id === entry!.id)?.activity),
      (c) => JSON.stringify(c).includes('completed'),
    );
    expect(JSON.stringify(card)).toContain('all hosts updated');
  });

  it('a cancelled job is announced as cancelled, never as failed', async () => {
    f.blockers = { LABA002: [vm('vm-9', 'usb_passthrough', 'critical')] };
    await f.harness.say(USERS.operator, 'update cluster lab-a', 'conv-cancel');
    const job = (await f.store.listRecentJobs({ limit: 1 })).items[0]!;
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'paused',
    );
    await f.harness.say(USERS.operator, `cancel ${job.id}`, 'conv-cancel');
    await eventually(
      () => f.store.getJob(job.id),
      (j) => j?.status === 'cancelled',
    );
    const told = await eventually(
      async () => f.harness.texts('conv-cancel').find((t) => t.startsWith('🚫 lab-a cancelled')),
      (t) => !!t,
    );
    expect(told).toBe('🚫 lab-a cancelled (graceful): nothing was started; HA restored');
    expect(f.harness.texts('conv-cancel').some((t) => /Failed|❌/.test(t))).toBe(false);
  });
});
