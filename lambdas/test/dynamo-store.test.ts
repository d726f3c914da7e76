import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@rackops/core/jobs/job.schema';
import { InvalidTransitionError, type JobEvent } from '@rackops/core/jobs/lifecycle';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '@rackops/core/util/errors';
import { aJob } from '../../core/test/job-factory';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

const alice: Actor = { kind: 'user', id: 'u-alice', name: 'Alice' };
const system: Actor = { kind: 'system', id: 'rackops' };

let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(async () => {
  await t.close();
});

describe('Store on dynalite: jobs', () => {
  it('migrate is idempotent', async () => {
    await t.store.migrate();
    await t.store.migrate();
  });

  it('creates a pending job at version 0 and reads it back', async () => {
    const job = await t.store.createJob(aJob());
    expect(job).toMatchObject({ status: 'pending', version: 0 });
    expect(await t.store.getJob(job.id)).toEqual(job);
    const audit = await t.store.listAuditByJob(job.id);
    expect(audit.map((a) => a.action)).toEqual(['job.create']);
  });

  it('refuses a duplicate job id', async () => {
    const input = aJob();
    await t.store.createJob(input);
    await expect(t.store.createJob(input)).rejects.toBeInstanceOf(ConflictError);
  });

  it('walks a job through its lifecycle with one audit event per transition, naming the actor', async () => {
    const job = await t.store.createJob(aJob());
    await t.store.transitionJob(job.id, { type: 'start', actor: system });
    await t.store.transitionJob(job.id, {
      type: 'pause',
      actor: system,
      reason: 'blockers',
      kind: 'blockers',
    });
    const paused = await t.store.getJob(job.id);
    expect(paused).toMatchObject({ status: 'paused', pausedReason: 'blockers', pauseKind: 'blockers' });
    await t.store.transitionJob(job.id, { type: 'resume', actor: alice, resolutionId: 'res-1' });
    const done = await t.store.transitionJob(job.id, {
      type: 'complete',
      actor: system,
      summary: 'all good',
    });
    expect(done.status).toBe('completed');
    expect(done.pausedReason).toBeUndefined();
    expect(done.completedAt! >= done.startedAt!).toBe(true);
    const audit = await t.store.listAuditByJob(job.id);
    expect(audit.map((a) => `${a.action}:${a.actor.id}`)).toEqual([
      'job.create:u-alice',
      'job.start:rackops',
      'job.pause:rackops',
      'job.resume:u-alice',
      'job.complete:rackops',
    ]);
  });

  describe('every invalid transition is rejected without a write', () => {
    const events: JobEvent[] = [
      { type: 'start', actor: system },
      { type: 'pause', actor: system, reason: 'r', kind: 'operator' },
      { type: 'resume', actor: alice, resolutionId: 'r' },
      { type: 'complete', actor: system },
      { type: 'fail', actor: system, error: 'e' },
      { type: 'cancel', actor: alice },
    ];
    const paths: Record<string, JobEvent[]> = {
      pending: [],
      running: [events[0]!],
      paused: [events[0]!, events[1]!],
      completed: [events[0]!, events[3]!],
      failed: [events[4]!],
      cancelled: [events[5]!],
    };
    const valid: Record<string, string[]> = {
      pending: ['start', 'fail', 'cancel'],
      running: ['pause', 'complete', 'fail', 'cancel'],
      paused: ['resume', 'fail', 'cancel'],
      completed: [],
      failed: [],
      cancelled: [],
    };
    const cases = Object.keys(paths).flatMap((from) =>
      events.filter((e) => !valid[from]!.includes(e.type)).map((event) => ({ from, event })),
    );
    it.each(cases)('$event.type from $from', async ({ from, event }) => {
      const job = await t.store.createJob(aJob());
      for (const e of paths[from]!) await t.store.transitionJob(job.id, e);
      const before = await t.store.getJob(job.id);
      const auditBefore = await t.store.listAuditByJob(job.id);
      await expect(t.store.transitionJob(job.id, event)).rejects.toBeInstanceOf(InvalidTransitionError);
      expect(await t.store.getJob(job.id)).toEqual(before);
      expect(await t.store.listAuditByJob(job.id)).toHaveLength(auditBefore.length);
    });
  });

  it('rejects a transition at a stale expected version without writing', async () => {
    const job = await t.store.createJob(aJob());
    await t.store.transitionJob(job.id, { type: 'start', actor: system });
    await expect(t.store.transitionJob(job.id, { type: 'cancel', actor: alice }, 0)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await t.store.getJob(job.id))?.status).toBe('running');
  });

  it('reports a missing job', async () => {
    await expect(t.store.transitionJob('nope', { type: 'start', actor: system })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('50 concurrent claimers on one due job: exactly one wins, every run', async () => {
    for (let run = 0; run < 5; run++) {
      const job = await t.store.createJob(aJob());
      const now = new Date().toISOString();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.store.claimJob(job.id, { kind: 'system', id: `claimer-${i}` }, now),
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.status).toBe('running');
      const audit = await t.store.listAuditByJob(job.id);
      expect(audit.filter((a) => a.action === 'job.start')).toHaveLength(1);
    }
  });

  it('does not claim a job scheduled in the future, nor one already running', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    const later = await t.store.createJob(aJob({ scheduleAt: future }));
    expect(await t.store.claimJob(later.id, system, new Date().toISOString())).toBeUndefined();
    const job = await t.store.createJob(aJob());
    // After the job is made: its scheduleAt is "now" when aJob ran, and a claim before that is a claim too early.
    const now = new Date().toISOString();
    expect(await t.store.claimJob(job.id, system, now)).toBeDefined();
    expect(await t.store.claimJob(job.id, system, now)).toBeUndefined();
  });

  it('does not claim a job that still awaits its four-eyes approval', async () => {
    const job = await t.store.createJob(aJob({ requiresApproval: true }));
    expect(await t.store.claimJob(job.id, system, new Date().toISOString())).toBeUndefined();
    await t.store.updateJob(job.id, { approvedBy: { kind: 'user', id: 'u-bob', name: 'Bob' } });
    expect((await t.store.claimJob(job.id, system, new Date().toISOString()))?.status).toBe('running');
  });

  it('lists due jobs: pending with scheduleAt <= now, in schedule order', async () => {
    const base = Date.parse('2030-01-01T00:00:00.000Z');
    const at = (m: number) => new Date(base + m * 60_000).toISOString();
    const a = await t.store.createJob(
      aJob({ scheduleAt: at(2), target: { kind: 'cluster', id: 'due-test' } }),
    );
    const b = await t.store.createJob(
      aJob({ scheduleAt: at(1), target: { kind: 'cluster', id: 'due-test' } }),
    );
    await t.store.createJob(aJob({ scheduleAt: at(10), target: { kind: 'cluster', id: 'due-test' } }));
    const due = (await t.store.listDueJobs(at(5), 1000)).filter((j) => j.target.id === 'due-test');
    expect(due.map((j) => j.id)).toEqual([b.id, a.id]);
  });

  it('lists jobs by status, by target (newest first) and recent jobs, with paging', async () => {
    const target = { kind: 'cluster' as const, id: `paging-${Date.now()}` };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const createdAt = new Date(Date.UTC(2031, 0, 1, 0, i)).toISOString();
      ids.push((await t.store.createJob(aJob({ target, createdAt, scheduleAt: createdAt }))).id);
    }
    const first = await t.store.listJobsByTarget(target.kind, target.id, { limit: 3 });
    expect(first.items.map((j) => j.id)).toEqual([ids[4], ids[3], ids[2]]);
    const second = await t.store.listJobsByTarget(target.kind, target.id, { limit: 3, cursor: first.cursor });
    expect(second.items.map((j) => j.id)).toEqual([ids[1], ids[0]]);
    const recent = await t.store.listRecentJobs({ limit: 2 });
    expect(recent.items.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    await t.store.transitionJob(ids[0]!, { type: 'start', actor: system });
    const running = await t.store.listJobsByStatus('running', { limit: 1000 });
    expect(running.items.some((j) => j.id === ids[0])).toBe(true);
  });

  it('merges details and refuses details past the limit without writing', async () => {
    const job = await t.store.createJob(aJob({ details: { a: 1 } }));
    const updated = await t.store.updateJob(job.id, { details: { b: 2 } });
    expect(updated.details).toEqual({ a: 1, b: 2 });
    expect(updated.version).toBe(1);
    await expect(t.store.updateJob(job.id, { details: { big: 'x'.repeat(70_000) } })).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    expect((await t.store.getJob(job.id))?.version).toBe(1);
  });

  it('a details update racing a status change loses nothing', async () => {
    const job = await t.store.createJob(aJob());
    await t.store.transitionJob(job.id, { type: 'start', actor: system });
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => t.store.updateJob(job.id, { details: { [`k${i}`]: i } })),
      t.store.transitionJob(job.id, { type: 'pause', actor: system, reason: 'r', kind: 'operator' }),
    ]);
    const after = await t.store.getJob(job.id);
    expect(after?.status).toBe('paused');
    expect(Object.keys(after?.details ?? {})).toHaveLength(10);
  });
});

describe('Store on dynalite: steps, log, audit, job items', () => {
  it('1,000 concurrent log appends to one job are all readable, in order', async () => {
    const job = await t.store.createJob(aJob());
    const appended = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        t.store.appendLog({ jobId: job.id, level: 'info', message: `line ${i}` }),
      ),
    );
    const read: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.store.listLog(job.id, { limit: 300, cursor });
      read.push(...page.items.map((l) => l.message));
      cursor = page.cursor;
    } while (cursor);
    expect(read).toHaveLength(1000);
    expect(read).toEqual(appended.map((l) => l.message));
    const tail = await t.store.listLog(job.id, { after: appended[997]!.id });
    expect(tail.items.map((l) => l.message)).toEqual(['line 998', 'line 999']);
  });

  it('upserts steps by key and lists them in order', async () => {
    const job = await t.store.createJob(aJob());
    await t.store.putStep({
      jobId: job.id,
      key: 'host:B:update',
      name: 'Update B',
      order: 2,
      status: 'pending',
    });
    await t.store.putStep({
      jobId: job.id,
      key: 'preflight',
      name: 'Preflight',
      order: 0,
      status: 'running',
    });
    await t.store.putStep({
      jobId: job.id,
      key: 'preflight',
      name: 'Preflight',
      order: 0,
      status: 'completed',
    });
    const steps = await t.store.listSteps(job.id);
    expect(steps.map((s) => `${s.key}:${s.status}`)).toEqual([
      'preflight:completed',
      'host:B:update:pending',
    ]);
  });

  it("keeps a step's start when a later write gives none, and drops what the later write leaves out", async () => {
    const job = await t.store.createJob(aJob());
    const startedAt = '2026-11-29T01:00:00.000Z';
    await t.store.putStep({
      jobId: job.id,
      key: 'stage',
      name: 'Stage',
      order: 1,
      status: 'running',
      startedAt,
      message: 'uploading',
    });
    const done = await t.store.putStep({
      jobId: job.id,
      key: 'stage',
      name: 'Stage',
      order: 1,
      status: 'completed',
      completedAt: '2026-11-29T01:00:05.000Z',
    });
    expect(done).toMatchObject({ status: 'completed', startedAt, completedAt: '2026-11-29T01:00:05.000Z' });
    expect(done.message).toBeUndefined();
    expect(await t.store.listSteps(job.id)).toEqual([done]);
    // A step first written as finished starts when it is written.
    const skipped = await t.store.putStep({
      jobId: job.id,
      key: 'x',
      name: 'X',
      order: 2,
      status: 'skipped',
    });
    expect(skipped.startedAt).toBe(skipped.updatedAt);
  });

  it('refuses a step payload past the item limit', async () => {
    const job = await t.store.createJob(aJob());
    await expect(
      t.store.putStep({
        jobId: job.id,
        key: 'big',
        name: 'Big',
        order: 0,
        status: 'running',
        data: { x: 'y'.repeat(400_000) },
      }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(await t.store.listSteps(job.id)).toEqual([]);
  });

  it('lists audit events by day and by actor', async () => {
    const at = '2029-05-05T10:00:00.000Z';
    await t.store.recordAudit({
      at,
      actor: { kind: 'user', id: 'u-audit' },
      action: 'chat.command',
      detail: { text: 'status' },
    });
    await t.store.recordAudit({ at, actor: { kind: 'user', id: 'u-other' }, action: 'chat.command' });
    const byDay = await t.store.listAuditByTime('2029-05-05');
    expect(byDay.items).toHaveLength(2);
    const byActor = await t.store.listAuditByActor('u-audit');
    expect(byActor.items.map((a) => a.action)).toEqual(['chat.command']);
  });

  it('keeps one item per host for blockers and resolutions', async () => {
    const job = await t.store.createJob(aJob());
    await t.store.putJobItem(job.id, 'blocker', 'HOST1', { vms: ['a'] });
    await t.store.putJobItem(job.id, 'blocker', 'HOST2', { vms: ['b'] });
    await t.store.putJobItem(job.id, 'blocker', 'HOST1', { vms: ['a', 'c'] });
    await t.store.putJobItem(job.id, 'resolution', 'HOST1', { skip: true });
    expect(await t.store.listJobItems(job.id, 'blocker')).toEqual([
      { key: 'HOST1', data: { vms: ['a', 'c'] } },
      { key: 'HOST2', data: { vms: ['b'] } },
    ]);
    expect(await t.store.getJobItem(job.id, 'resolution', 'HOST1')).toEqual({ skip: true });
    await t.store.deleteJobItem(job.id, 'blocker', 'HOST2');
    expect(await t.store.listJobItems(job.id, 'blocker')).toHaveLength(1);
  });
});

describe('Store on dynalite: records', () => {
  it('writes, skips unchanged content by hash, lists by parent and type, marks gone', async () => {
    const rec = { type: 'vm', id: 'vm-1', parent: 'HOST1', data: { name: 'web-1' }, hash: 'h1' };
    expect(await t.store.putRecord(rec, { ifHashDiffers: true })).toBe('written');
    expect(await t.store.putRecord(rec, { ifHashDiffers: true })).toBe('unchanged');
    expect(
      await t.store.putRecord({ ...rec, data: { name: 'web-1b' }, hash: 'h2' }, { ifHashDiffers: true }),
    ).toBe('written');
    await t.store.putRecord({ type: 'vm', id: 'vm-2', parent: 'HOST1', data: { name: 'db-1' }, hash: 'h3' });
    const byParent = await t.store.listRecordsByParent<{ name: string }>('vm', 'HOST1');
    expect(byParent.items.map((r) => r.data.name).sort()).toEqual(['db-1', 'web-1b']);
    expect((await t.store.getRecord('vm', 'vm-1'))?.version).toBe(2);
    const hashes = await t.store.listRecordHashes('vm', 'HOST1');
    expect(hashes.get('vm-1')).toEqual({ hash: 'h2' });
    await t.store.markRecordGone('vm', 'vm-2');
    expect((await t.store.listRecordsByParent('vm', 'HOST1')).items).toHaveLength(1);
    expect((await t.store.listRecordsByParent('vm', 'HOST1', { includeGone: true })).items).toHaveLength(2);
    expect((await t.store.listRecordHashes('vm', 'HOST1')).get('vm-2')).toEqual({ hash: 'h3', gone: true });
    // A gone record that comes back is written even with the same hash.
    expect(
      await t.store.putRecord(
        { type: 'vm', id: 'vm-2', parent: 'HOST1', data: { name: 'db-1' }, hash: 'h3' },
        { ifHashDiffers: true },
      ),
    ).toBe('written');
    expect((await t.store.getRecord('vm', 'vm-2'))?.gone).toBe(false);
  });

  it('orders records of a type by sort key and filters by an upper bound', async () => {
    await t.store.putRecord({ type: 'window', id: 'w2', sortKey: '2030-02-01T00:00:00Z', data: {} });
    await t.store.putRecord({ type: 'window', id: 'w1', sortKey: '2030-01-01T00:00:00Z', data: {} });
    await t.store.putRecord({ type: 'window', id: 'w3', sortKey: '2030-03-01T00:00:00Z', data: {} });
    const due = await t.store.listRecordsByType('window', { sortKeyBefore: '2030-02-15T00:00:00Z' });
    expect(due.items.map((r) => r.id)).toEqual(['w1', 'w2']);
  });

  it('conditional record writes: ifVersion and ifAbsent', async () => {
    await t.store.putRecord({ type: 'setting', id: 's1', data: { v: 1 } }, { ifAbsent: true });
    await expect(
      t.store.putRecord({ type: 'setting', id: 's1', data: { v: 2 } }, { ifAbsent: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    await t.store.putRecord({ type: 'setting', id: 's1', data: { v: 2 } }, { ifVersion: 1 });
    await expect(
      t.store.putRecord({ type: 'setting', id: 's1', data: { v: 3 } }, { ifVersion: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await t.store.getRecord<{ v: number }>('setting', 's1'))?.data.v).toBe(2);
  });

  it('hides expired records', async () => {
    await t.store.putRecord({
      type: 'token',
      id: 'old',
      data: {},
      expiresAt: Math.floor(Date.now() / 1000) - 10,
    });
    await t.store.putRecord({
      type: 'token',
      id: 'new',
      data: {},
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    expect(await t.store.getRecord('token', 'old')).toBeUndefined();
    expect((await t.store.listRecordsByType('token')).items.map((r) => r.id)).toEqual(['new']);
  });

  it('refuses a record past the item limit without writing', async () => {
    await expect(
      t.store.putRecord({ type: 'blob', id: 'b', data: { x: 'z'.repeat(360 * 1024) } }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(await t.store.getRecord('blob', 'b')).toBeUndefined();
  });
});
