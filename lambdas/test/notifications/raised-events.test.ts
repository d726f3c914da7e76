import { isTerminal, type Job } from '@rackops/core/jobs/job.schema';
import { listDeliveries } from '@rackops/core/notifications/delivery-log';
import { NotificationPipeline } from '@rackops/core/notifications/pipeline';
import { GLOBAL_SCOPE, emptyScope, saveScope, switchKinds } from '@rackops/core/notifications/settings';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { NotificationChannel } from '@rackops/core/ports/notification-channel.port';
import type { NotificationEvent } from '@rackops/core/ports/notifier.port';
import { AGENT_HEARTBEAT_TYPE } from '@rackops/core/usecases/agent-status';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { fireWindow } from '@rackops/core/windows/window-firing';
import { NEVER_REPORTED_AGENT } from '@rackops/core/workflows/ops/agent-offline';
import { WINDOW_END_REASON } from '@rackops/core/workflows/ops/hosts.op';
import type { OpsDeps } from '@rackops/core/workflows/ops/ops-deps';
import { putHost } from '@rackops/core/workflows/ops/progress';
import { runJobOp } from '@rackops/core/workflows/ops/run-op';
import { createLocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../../core/test/job-factory';
import { makeWindow } from '../../../core/test/windows/window-factory';
import { startTestStore, type TestStore } from '../helpers/dynalite-store';

/**
 * The events no chat command raises: the workflow ops (finish, host failed) and the window's firing and
 * settling raise them through the real pipeline on a real Store; a channel endpoint records what arrives.
 */
describe('events raised by workflows and windows reach the channels once', () => {
  let t: TestStore;
  const sent: NotificationEvent[] = [];
  const channel: NotificationChannel = {
    name: 'channel',
    recipients: async () => ['team'],
    async send(event) {
      sent.push(event);
    },
  };
  let deps: OpsDeps;
  const of = (kind: NotificationEvent['kind']) => sent.filter((e) => e.kind === kind);

  beforeAll(async () => {
    t = await startTestStore();
    const global = switchKinds(emptyScope(), 'channel', 'on', [
      'cluster_unsafe',
      'agent_offline',
      'window_outcome',
    ]);
    await saveScope(t.store, GLOBAL_SCOPE, global);
    const notifier = new NotificationPipeline({
      store: t.store,
      clock: systemClock,
      channels: [channel],
      logger: pino({ level: 'silent' }),
      sleep: async () => {},
    });
    deps = { store: t.store, clock: systemClock, notifier };
  });
  afterAll(async () => t?.close());

  async function runningJob(over: Parameters<typeof aJob>[0] = {}): Promise<Job> {
    const job = await t.store.createJob(aJob(over));
    const claimed = await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, job.createdAt);
    if (!claimed) throw new Error('job not claimed');
    return claimed;
  }

  it('a rollout that ends with HA not restored raises cluster_unsafe once, even when finish runs again', async () => {
    const job = await runningJob({ target: { kind: 'cluster', id: 'lab-unsafe' } });
    const state = {
      jobId: job.id,
      ctx: {
        jobType: job.type,
        cluster: { id: 'lab-unsafe', name: 'lab-unsafe', moref: 'domain-c9', vcenterId: 'vc1' },
      },
      cleanup: { restoreHa: true },
      haRestoreError: { Error: 'States.Timeout', Cause: 'vCenter did not answer' },
    };
    // The second call is Step Functions retrying the op.
    for (let i = 0; i < 2; i++) await runJobOp(deps, { op: 'finish', jobId: job.id, state });
    expect(isTerminal((await t.store.getJob(job.id))?.status ?? 'running')).toBe(true);
    const unsafe = of('cluster_unsafe');
    expect(unsafe).toHaveLength(1);
    expect(unsafe[0]).toMatchObject({ clusterId: 'lab-unsafe' });
    expect(JSON.stringify(unsafe[0])).toMatch(/HA admission control NOT restored/);
    const log = await listDeliveries(t.store, { subject: 'cluster:lab-unsafe' });
    expect(log.map((r) => [r.kind, r.status, r.attempts])).toEqual([['cluster_unsafe', 'delivered', 1]]);
  });

  it('a rollout that ends with a failed host left in maintenance mode raises cluster_unsafe naming it', async () => {
    const job = await runningJob({ target: { kind: 'cluster', id: 'lab-maint' } });
    const cluster = { id: 'lab-maint', name: 'lab-maint', moref: 'domain-c8', vcenterId: 'vc1' };
    await putHost(deps, job.id, { hostId: 'h1', phase: 'updated' });
    await putHost(deps, job.id, {
      hostId: 'h2',
      name: 'esx-02',
      phase: 'failed',
      error: 'firmware verification failed',
      where: 'iDRAC reachable, power On, in maintenance mode',
    });
    await runJobOp(deps, {
      op: 'finish',
      jobId: job.id,
      state: { jobId: job.id, ctx: { jobType: job.type, cluster } },
    });
    const unsafe = of('cluster_unsafe').filter(
      (e) => e.kind === 'cluster_unsafe' && e.clusterId === 'lab-maint',
    );
    expect(unsafe).toHaveLength(1);
    expect(JSON.stringify(unsafe[0])).toContain('1 host(s) left in maintenance mode: esx-02');
  });

  it('a rollout whose failed host is out of maintenance mode and HA restored raises no cluster_unsafe', async () => {
    const job = await runningJob({ target: { kind: 'cluster', id: 'lab-safe' } });
    const cluster = { id: 'lab-safe', name: 'lab-safe', moref: 'domain-c7', vcenterId: 'vc1' };
    await putHost(deps, job.id, {
      hostId: 'h4',
      phase: 'failed',
      error: 'staging failed',
      where: 'iDRAC reachable, power On, not in maintenance mode',
    });
    await runJobOp(deps, {
      op: 'finish',
      jobId: job.id,
      state: { jobId: job.id, ctx: { jobType: job.type, cluster } },
    });
    expect((await t.store.getJob(job.id))?.status).toBe('failed');
    expect(await listDeliveries(t.store, { subject: 'cluster:lab-safe' })).toEqual([]);
  });

  it('hosts timing out on heartbeat with the agent offline raise agent_offline once; an online agent is not named', async () => {
    const now = Date.now();
    await t.store.putRecord({
      type: AGENT_HEARTBEAT_TYPE,
      id: 'agent-gone',
      data: { at: new Date(now - 10 * 60_000).toISOString() },
    });
    await t.store.putRecord({
      type: AGENT_HEARTBEAT_TYPE,
      id: 'agent-here',
      data: { at: new Date(now).toISOString() },
    });
    const job = await runningJob();
    for (const hostId of ['h1', 'h2'])
      await runJobOp(deps, {
        op: 'host-failed',
        jobId: job.id,
        state: {
          jobId: job.id,
          host: { hostId, packages: [], expected: [] },
          error: { Error: 'States.HeartbeatTimeout', Cause: '' },
        },
      });
    const offline = of('agent_offline');
    expect(offline).toHaveLength(1);
    expect(offline[0]).toMatchObject({ agentId: 'agent-gone' });
    expect(JSON.stringify(offline[0])).toContain(job.id);
    expect(await listDeliveries(t.store, { subject: 'agent:agent-here' })).toEqual([]);
  });

  it('a host that fails for another reason raises no agent_offline', async () => {
    const before = of('agent_offline').length;
    const job = await runningJob();
    await runJobOp(deps, {
      op: 'host-failed',
      jobId: job.id,
      state: { jobId: job.id, host: { hostId: 'h9', packages: [], expected: [] }, error: { Error: 'Boom' } },
    });
    expect(of('agent_offline')).toHaveLength(before);
  });

  it('a window job ending with hosts left settles its occurrence as partial and tells it once', async () => {
    const windows = createWindowStore(t.store);
    const w = makeWindow({
      windowId: 'W-part',
      conversationId: 'conv-1',
      targets: { clusters: ['lab-w'], hosts: [] },
    });
    await windows.createWindow(w);
    const slot = { windowId: w.windowId, start: '2026-12-06T01:00:00.000Z', end: '2026-12-06T05:00:00.000Z' };
    const job = await runningJob({
      target: { kind: 'cluster', id: 'lab-w' },
      windowId: w.windowId,
      params: { window: { ...slot, hostSeconds: 900 } },
    });
    await windows.moveOccurrence(slot, 'running', { jobId: job.id, jobIds: [job.id] });
    await putHost(deps, job.id, { hostId: 'h1', phase: 'updated' });
    await putHost(deps, job.id, {
      hostId: 'h3',
      phase: 'not_started',
      reason: `${WINDOW_END_REASON} (12 min left)`,
    });
    for (let i = 0; i < 2; i++)
      await runJobOp(deps, {
        op: 'finish',
        jobId: job.id,
        state: { jobId: job.id, ctx: { jobType: job.type } },
      });
    expect((await windows.getOccurrence(w.windowId, slot.start))?.value.status).toBe('partial');
    const told = of('window_outcome').filter((e) => e.kind === 'window_outcome' && e.windowId === 'W-part');
    expect(told).toEqual([
      expect.objectContaining({
        status: 'partial',
        hostsLeft: ['h3'],
        start: slot.start,
        conversationId: 'conv-1',
        clusterId: 'lab-w',
      }),
    ]);
    const log = await listDeliveries(t.store, { subject: 'window:W-part' });
    expect(log.map((r) => [r.kind, r.status])).toEqual([['window_outcome', 'delivered']]);
  });

  it('an occurrence skipped at fire time (not approved) is told with its reason', async () => {
    const windows = createWindowStore(t.store);
    const start = new Date(Date.now() - 2 * 60_000);
    const hhmm = start.toISOString().slice(11, 16);
    const w = makeWindow({
      windowId: 'W-skip',
      zone: 'UTC',
      startDate: start.toISOString().slice(0, 10),
      startTime: hhmm,
      durationMinutes: 60,
      recurrence: { kind: 'once' },
    });
    await windows.createWindow(w);
    const scheduler = createLocalScheduler({ store: t.store, fire: async () => {} });
    try {
      const occ = await fireWindow(
        {
          store: t.store,
          scheduler,
          now: () => new Date(),
          activeJobOn: async () => undefined,
          agentOnline: async () => true,
          startRollout: async () => {
            throw new Error('an unapproved production window must not start');
          },
          notifier: deps.notifier,
        },
        w.windowId,
      );
      expect(occ?.status).toBe('skipped');
    } finally {
      scheduler.stop();
    }
    const told = of('window_outcome').filter((e) => e.kind === 'window_outcome' && e.windowId === 'W-skip');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ status: 'skipped', hostsLeft: [] });
    expect(JSON.stringify(told[0])).toMatch(/not approved by a second person/);
  });
});

describe('agent_offline for a relay agent that never reported (no heartbeat record at all)', () => {
  let t: TestStore;
  let deps: OpsDeps;
  const sent: NotificationEvent[] = [];
  const silent = { Error: 'States.HeartbeatTimeout', Cause: '' };
  beforeAll(async () => {
    t = await startTestStore();
    await saveScope(t.store, GLOBAL_SCOPE, switchKinds(emptyScope(), 'channel', 'on', ['agent_offline']));
    const notifier = new NotificationPipeline({
      store: t.store,
      clock: systemClock,
      channels: [
        {
          name: 'channel',
          recipients: async () => ['team'],
          async send(event) {
            sent.push(event);
          },
        },
      ],
      logger: pino({ level: 'silent' }),
      sleep: async () => {},
    });
    deps = { store: t.store, clock: systemClock, notifier };
  });
  afterAll(async () => t?.close());

  async function runningJob(over: Parameters<typeof aJob>[0] = {}): Promise<Job> {
    const job = await t.store.createJob(aJob(over));
    const claimed = await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, job.createdAt);
    if (!claimed) throw new Error('job not claimed');
    return claimed;
  }
  const toldAbout = (job: Job) => sent.filter((e) => JSON.stringify(e).includes(job.id));

  it('hosts timing out on heartbeat raise agent_offline once', async () => {
    const job = await runningJob();
    for (const hostId of ['h1', 'h2'])
      await runJobOp(deps, {
        op: 'host-failed',
        jobId: job.id,
        state: { jobId: job.id, host: { hostId, packages: [], expected: [] }, error: silent },
      });
    expect(toldAbout(job)).toHaveLength(1);
    expect(toldAbout(job)[0]).toMatchObject({ kind: 'agent_offline', agentId: NEVER_REPORTED_AGENT });
    expect(JSON.stringify(toldAbout(job)[0])).toContain(
      `no relay agent has ever sent a heartbeat, and job ${job.id}`,
    );
    const log = await listDeliveries(t.store, { subject: `agent:${NEVER_REPORTED_AGENT}` });
    expect(log.map((r) => [r.kind, r.status])).toEqual([['agent_offline', 'delivered']]);
  });

  it("a rollout's preflight reads timing out on heartbeat (a fresh install, no agent started) raise it once", async () => {
    const job = await runningJob();
    for (const hostId of ['LABA001', 'LABA002'])
      await runJobOp(deps, {
        op: 'preflight-host',
        jobId: job.id,
        state: { jobId: job.id, host: { hostId, name: hostId }, error: silent },
      });
    expect(toldAbout(job).map((e) => [e.kind, 'agentId' in e && e.agentId])).toEqual([
      ['agent_offline', NEVER_REPORTED_AGENT],
    ]);
  });

  it('a single-command job ending on a heartbeat timeout raises it; another failure does not', async () => {
    const job = await runningJob({ type: 'scp_export', target: { kind: 'host', id: 'LABA001' } });
    for (let i = 0; i < 2; i++)
      await runJobOp(deps, { op: 'finish', jobId: job.id, state: { jobId: job.id, error: silent } });
    expect((await t.store.getJob(job.id))?.status).toBe('failed');
    expect(toldAbout(job).map((e) => e.kind)).toEqual(['agent_offline']);
    const other = await runningJob({ type: 'scp_export', target: { kind: 'host', id: 'LABA002' } });
    await runJobOp(deps, {
      op: 'finish',
      jobId: other.id,
      state: { jobId: other.id, error: { Error: 'relay_error', Cause: 'iDRAC said no' } },
    });
    expect(toldAbout(other)).toEqual([]);
  });
});
