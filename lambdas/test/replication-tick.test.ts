import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import type { Clock } from '@rackops/core/ports/clock.port';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaimHandler } from '../src/handlers/claim.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

// A stand-in replication workflow that waits on a token: the run stays running while the test ticks again.
const waiting = {
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'dispatch',
        Payload: { 'jobId.$': '$.jobId', 'taskToken.$': '$$.Task.Token' },
      },
      End: true,
    },
  },
};

const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };

/**
 * A protection group's schedule tick through the claim handler on a real Store: one run at a time, paused
 * groups skipped, and an RPO breach told once per breach through the real notification pipeline (the job's
 * conversation channel is on by default).
 */
describe('replication tick (claim handler)', () => {
  let t: TestStore;
  let engine: LocalEngine;
  let now = new Date('2026-12-06T10:00:00Z');
  const clock: Clock = { now: () => now };
  const told: NotificationEvent[] = [];
  /** What the AWS handler turns into the RPO alarm's metric. */
  const rpo: boolean[] = [];
  let claim: ReturnType<typeof createClaimHandler>;

  beforeAll(async () => {
    t = await startTestStore();
    engine = new LocalEngine({
      store: t.store,
      definitions: { 'replication-sync': waiting },
      functions: { dispatch: async () => ({}) },
    });
    const channel: NotificationChannel = {
      name: 'conversation',
      recipients: async (e) => (e.kind === 'rpo_breached' && e.conversationId ? [e.conversationId] : []),
      async send(event) {
        told.push(event);
      },
    };
    const notifier = new NotificationPipeline({
      store: t.store,
      clock,
      channels: [channel],
      logger: pino({ level: 'silent' }),
      sleep: async () => {},
    });
    claim = createClaimHandler({
      onRpo: (_group, breached) => void rpo.push(breached),
      store: t.store,
      orchestrator: createLocalOrchestrator(engine),
      clock,
      notifier,
    });
    await createProtectionGroupStore(t.store).create({
      name: 'prod-vms',
      source: { vcenterId: 'vc-a', datastore: 'nfs', appliance: 'nas-a', dataset: 'tank/vm' },
      target: { vcenterId: 'vc-b', datastore: 'nfs-dr', appliance: 'nas-b', dataset: 'dr/vm' },
      members: { kind: 'datastore' },
      rpoMinutes: 15,
      retention: {},
      createdBy: alice,
      createdAt: now.toISOString(),
      conversationId: 'conv-1',
    });
  });
  afterAll(async () => {
    await engine?.stop();
    await t?.close();
  });

  it('starts one replication_sync; the next tick while it runs is skipped and names it', async () => {
    const first = await claim({ kind: 'replication', group: 'prod-vms' });
    expect(first).toMatchObject({ outcome: 'started', status: 'running' });
    const job = first.outcome === 'started' ? await t.store.getJob(first.jobId) : undefined;
    expect(job).toMatchObject({
      type: 'replication_sync',
      target: { kind: 'protection_group', id: 'prod-vms' },
    });
    const second = await claim({ kind: 'replication', group: 'prod-vms' });
    expect(second).toMatchObject({ outcome: 'skipped', jobId: job?.id });
    expect(second.outcome === 'skipped' && second.reason).toMatch(/already replicating/);
    if (job) await t.store.transitionJob(job.id, { type: 'fail', actor: alice, error: 'test over' });
  });

  it('an RPO breach is told once per breach, a new replica that ages past it again is a new breach', async () => {
    now = new Date('2026-12-06T10:20:00Z'); // 20 min, no replica: past the 15 min RPO
    await claim({ kind: 'replication', group: 'prod-vms' });
    await claim({ kind: 'replication', group: 'prod-vms' });
    const breaches = () => told.filter((e) => e.kind === 'rpo_breached');
    expect(breaches()).toHaveLength(1);
    expect(rpo.slice(-3)).toEqual([false, true, true]);
    expect(breaches()[0]).toMatchObject({
      group: 'prod-vms',
      since: '2026-12-06T10:00:00.000Z',
      conversationId: 'conv-1',
    });
    expect(JSON.stringify(breaches()[0])).toContain('no replica yet');
    for (const j of (await t.store.listJobsByTarget('protection_group', 'prod-vms')).items)
      if (j.status === 'running')
        await t.store.transitionJob(j.id, { type: 'fail', actor: alice, error: 'x' });

    await createProtectionGroupStore(t.store).recordReplica('prod-vms', {
      snapshot: 'rackops-prod-vms-20261206T102100Z',
      snapshotAt: '2026-12-06T10:21:00.000Z',
      completedAt: '2026-12-06T10:21:30.000Z',
      bytes: 1024,
      incremental: false,
      seconds: 30,
    });
    now = new Date('2026-12-06T10:30:00Z'); // inside the RPO: nothing to tell
    await claim({ kind: 'replication', group: 'prod-vms' });
    expect(breaches()).toHaveLength(1);
    expect(rpo.at(-1)).toBe(false);
    for (const j of (await t.store.listJobsByTarget('protection_group', 'prod-vms')).items)
      if (j.status === 'running')
        await t.store.transitionJob(j.id, { type: 'fail', actor: alice, error: 'x' });
    now = new Date('2026-12-06T10:40:00Z');
    await claim({ kind: 'replication', group: 'prod-vms' });
    expect(breaches()).toHaveLength(2);
    expect(breaches()[1]).toMatchObject({ since: '2026-12-06T10:21:00.000Z' });
    expect(JSON.stringify(breaches()[1])).toContain('rackops-prod-vms-20261206T102100Z');
    for (const j of (await t.store.listJobsByTarget('protection_group', 'prod-vms')).items)
      if (j.status === 'running')
        await t.store.transitionJob(j.id, { type: 'fail', actor: alice, error: 'x' });
  });

  it('a paused group is skipped (and not in breach); an unknown one is skipped; a bad name is refused', async () => {
    await createProtectionGroupStore(t.store).update('prod-vms', (g) => ({ ...g, state: 'paused' }));
    now = new Date('2026-12-07T10:00:00Z');
    const before = told.length;
    expect(await claim({ kind: 'replication', group: 'prod-vms' })).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/is paused/),
    });
    expect(told).toHaveLength(before);
    expect(await claim({ kind: 'replication', group: 'gone' })).toMatchObject({
      outcome: 'skipped',
      reason: 'protection group gone does not exist',
    });
    await expect(claim({ kind: 'replication', group: 'Bad;rm' })).rejects.toThrow(/schedule target/);
  });

  it('a production group awaiting four-eyes approval (or rejected) is never replicated nor in breach', async () => {
    for (const approval of ['pending', 'rejected'] as const) {
      const name = `wait-${approval}`;
      await createProtectionGroupStore(t.store).create({
        name,
        source: { vcenterId: 'vc-a', datastore: 'nfs', appliance: 'nas-a', dataset: `tank/${name}` },
        target: { vcenterId: 'vc-b', datastore: 'nfs-dr', appliance: 'nas-b', dataset: `dr/${name}` },
        members: { kind: 'datastore' },
        rpoMinutes: 15,
        retention: {},
        approval,
        createdBy: alice,
        // Long past its RPO: an approved group would be in breach.
        createdAt: new Date(now.getTime() - 86_400_000).toISOString(),
        conversationId: 'conv-1',
      });
      const before = told.length;
      expect(await claim({ kind: 'replication', group: name })).toEqual({
        outcome: 'skipped',
        reason: `protection group ${name} is not approved (${approval})`,
      });
      expect(told).toHaveLength(before);
      expect((await t.store.listJobsByTarget('protection_group', name)).items).toHaveLength(0);
    }
  });
});
