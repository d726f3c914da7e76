import { listDeliveries, NOTIFY_RECORDS } from '@rackops/core/notifications/delivery-log';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import {
  GLOBAL_SCOPE,
  clusterScope,
  emptyScope,
  saveScope,
  switchKinds,
} from '@rackops/core/notifications/settings';
import { systemClock } from '@rackops/core/ports/clock.port';
import {
  type NotificationChannel,
  PermanentDeliveryError,
} from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../../core/test/job-factory';
import { startTestStore, type TestStore } from '../helpers/dynalite-store';

/** A channel standing in for an endpoint: fails the first `failures` sends (permanently when told), records the rest. */
function scriptedChannel(name: 'channel' | 'email', failures = 0, permanent = false) {
  const sent: string[] = [];
  let calls = 0;
  const channel: NotificationChannel = {
    name,
    recipients: async () => ['r1'],
    async send(event, recipient) {
      calls += 1;
      if (calls <= failures) {
        if (permanent) throw new PermanentDeliveryError('endpoint answered 404');
        throw new Error('endpoint answered 503 at https://example.invalid/hook?sig=abc');
      }
      sent.push(`${event.kind}:${recipient}`);
    },
  };
  return { channel, sent, calls: () => calls };
}

describe('notification pipeline (core) on a real Store', () => {
  let t: TestStore;
  const waits: number[] = [];
  const quiet = pino({ level: 'silent' });
  const pipeline = (channels: NotificationChannel[], onDeadLetter?: () => void) =>
    new NotificationPipeline({
      store: t.store,
      clock: systemClock,
      channels,
      logger: quiet,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...(onDeadLetter ? { onDeadLetter } : {}),
    });

  beforeAll(async () => {
    t = await startTestStore();
    // Channel and e-mail are opt-in: switch them on globally for the kinds these tests send.
    let global = emptyScope();
    for (const ch of ['channel', 'email'] as const)
      global = switchKinds(global, ch, 'on', ['job_paused', 'job_completed', 'job_failed']);
    await saveScope(t.store, GLOBAL_SCOPE, global);
  });
  afterAll(async () => t?.close());

  it('retries with backoff: three failures then success is delivered once, logged with 4 attempts', async () => {
    const job = await t.store.createJob(aJob());
    const s = scriptedChannel('channel', 3);
    waits.length = 0;
    const out = await pipeline([s.channel]).deliver({
      kind: 'job_paused',
      jobId: job.id,
      reason: 'blockers',
    });
    expect(out).toEqual({ delivered: 1, duplicates: 0, dead: 0 });
    expect(s.sent).toEqual(['job_paused:r1']);
    expect(waits).toHaveLength(3);
    expect(waits[2]).toBeGreaterThan(waits[0] ?? 0);
    const [rec] = await listDeliveries(t.store, { subject: `job:${job.id}` });
    expect(rec).toMatchObject({ status: 'delivered', attempts: 4, channel: 'channel', recipient: 'r1' });
    expect(rec?.error).toBeUndefined();
  });

  it('the same event twice is delivered once (idempotency key)', async () => {
    const job = await t.store.createJob(aJob());
    const s = scriptedChannel('email');
    const p = pipeline([s.channel]);
    const event: NotificationEvent = { kind: 'job_completed', jobId: job.id, summary: 'all hosts updated' };
    const [a, b] = await Promise.all([p.deliver(event), p.deliver(event)]);
    const c = await p.deliver(event);
    expect(s.sent).toEqual(['job_completed:r1']);
    expect((a?.delivered ?? 0) + (b?.delivered ?? 0) + c.delivered).toBe(1);
    expect((a?.duplicates ?? 0) + (b?.duplicates ?? 0) + c.duplicates).toBe(2);
  });

  it('a permanent failure is not retried: dead letter record, reported, URL never stored', async () => {
    const job = await t.store.createJob(aJob());
    const s = scriptedChannel('channel', 99, true);
    let reported = 0;
    const out = await pipeline([s.channel], () => {
      reported += 1;
    }).deliver({ kind: 'job_failed', jobId: job.id, error: 'host 3 did not come back' });
    expect(out.dead).toBe(1);
    expect(s.calls()).toBe(1);
    expect(reported).toBe(1);
    const dead = await t.store.listRecordsByType<{ status: string; event: { kind: string } }>(
      NOTIFY_RECORDS.deadLetter,
    );
    expect(dead.items.some((d) => d.data.event.kind === 'job_failed' && d.data.status === 'dead')).toBe(true);
  });

  it('transient failures that never stop end in a dead letter after the last attempt; the URL in the error is masked', async () => {
    const job = await t.store.createJob(aJob());
    const s = scriptedChannel('email', 99);
    const out = await pipeline([s.channel]).deliver({ kind: 'job_paused', jobId: job.id, reason: 'x' });
    expect(out.dead).toBe(1);
    expect(s.calls()).toBe(4);
    const [rec] = await listDeliveries(t.store, { subject: `job:${job.id}` });
    expect(rec?.status).toBe('dead');
    expect(rec?.error).toContain('[url]');
    expect(rec?.error).not.toContain('example.invalid');
  });

  it('settings decide: a cluster switched off wins over global on; notify() never throws', async () => {
    const job = await t.store.createJob(aJob({ target: { kind: 'cluster', id: 'quiet-1' } }));
    await saveScope(
      t.store,
      clusterScope('quiet-1'),
      switchKinds(emptyScope(), 'email', 'off', ['job_paused']),
    );
    const s = scriptedChannel('email');
    const out = await pipeline([s.channel]).deliver({ kind: 'job_paused', jobId: job.id, reason: 'x' });
    expect(out).toEqual({ delivered: 0, duplicates: 0, dead: 0 });
    const broken: NotificationChannel = {
      name: 'channel',
      recipients: async () => {
        throw new Error('boom');
      },
      send: async () => undefined,
    };
    await expect(
      pipeline([broken]).notify({ kind: 'job_paused', jobId: job.id, reason: 'y' }),
    ).resolves.toBeUndefined();
  });
});
