import type { Job } from '@rackops/core/jobs/job.schema';
import { systemClock } from '@rackops/core/ports/clock.port';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { decideFailover, startFailover } from '@rackops/core/usecases/failover';
import { startTestFailover } from '@rackops/core/usecases/failover-test';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { newId } from '@rackops/core/util/ids';
import { finishFailover } from '@rackops/core/workflows/ops/failover-decide.op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestStore, startTestStore } from './helpers/test-store';

const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };
const at = '2026-12-07T00:00:00.000Z';

/**
 * The failover's refusals before anything is created, on a real Store: nothing here starts an execution (the
 * engine is not wired: a job that got as far as starting would fail the test).
 */
describe('startFailover and decideFailover refusals', () => {
  let t: TestStore;
  let deps: UseCaseDeps;
  const params = (extra: Record<string, unknown> = {}) => ({
    vms: ['web-01'],
    sourceMorefs: { 'web-01': 'vm-1000' },
    resourcePoolMoref: 'resgroup-1',
    hostMorefs: ['host-2000'],
    nfsServer: '127.0.0.1',
    ...extra,
  });
  const jobsOfGold = async () => (await t.store.listJobsByTarget('protection_group', 'gold')).items;
  const addJob = (over: Partial<Job>) =>
    t.store.createJob({
      id: newId(),
      type: 'rolling_cluster_update',
      target: { kind: 'cluster', id: 'dr-a' },
      params: {},
      createdBy: alice,
      createdAt: at,
      scheduleAt: '2099-01-01T00:00:00.000Z',
      details: {},
      requiresApproval: false,
      ...over,
    });

  beforeAll(async () => {
    t = await startTestStore();
    const unused = () => {
      throw new Error('nothing may start in these tests');
    };
    deps = {
      store: t.store,
      orchestrator: { startExecution: unused } as unknown as Orchestrator,
      scheduler: {} as Scheduler,
      notifier: { notify: async () => {} },
      clock: systemClock,
      startJob: unused,
    };
    const pgs = createProtectionGroupStore(t.store);
    const base = {
      source: { vcenterId: 'vc-src', datastore: 'nfs-gold', appliance: 'nas-src', dataset: 'src/vmstore' },
      target: { vcenterId: 'vc-dr', datastore: 'nfs-gold-dr', appliance: 'nas-dst', dataset: 'dst/vmstore' },
      members: { kind: 'datastore' as const },
      rpoMinutes: 15,
      retention: {},
      createdBy: alice,
      createdAt: at,
    };
    await pgs.create({ ...base, name: 'gold' });
    await pgs.recordReplica('gold', {
      snapshot: 'rackops-gold-20261207T000000Z',
      snapshotAt: at,
      completedAt: at,
      bytes: 1,
      incremental: false,
      seconds: 1,
    });
    await pgs.create({ ...base, name: 'empty' });
    await t.store.putRecord({
      type: 'host',
      id: 'DRHOST1',
      parent: 'dr-a',
      data: {
        id: 'DRHOST1',
        name: 'esx-dr-1',
        vcenterId: 'vc-dr',
        clusterId: 'dr-a',
        moref: 'host-2000',
        connectionState: 'connected',
        inMaintenanceMode: false,
        cpuMhz: 1,
        memoryMiB: 1,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an unknown group, one with no replica, bad params and an unplanned failover by a non-admin', async () => {
    await expect(startFailover(deps, { group: 'nope', actor: alice, params: params() })).rejects.toThrow(
      /nope/,
    );
    await expect(startFailover(deps, { group: 'empty', actor: alice, params: params() })).rejects.toThrow(
      /no replica/,
    );
    await expect(
      startFailover(deps, { group: 'gold', actor: alice, params: params({ sourceMorefs: {} }) }),
    ).rejects.toThrow(/no source moref for web-01/);
    await expect(
      startFailover(deps, {
        group: 'gold',
        actor: alice,
        params: params({ mode: 'unplanned', reason: 'site down' }),
      }),
    ).rejects.toThrow(/admin/);
    expect(await jobsOfGold()).toEqual([]);
  });

  it('refuses beside a rollout on the DR cluster and beside a test failover of the group, nothing created', async () => {
    const rollout = await addJob({});
    await expect(startFailover(deps, { group: 'gold', actor: alice, params: params() })).rejects.toThrow(
      `a rollout on cluster dr-a is pending (job ${rollout.id})`,
    );
    await t.store.transitionJob(rollout.id, { type: 'cancel', actor: alice });
    const test = await addJob({ type: 'failover_test', target: { kind: 'protection_group', id: 'gold' } });
    await expect(
      startFailover(deps, {
        group: 'gold',
        actor: alice,
        admin: true,
        params: params({ mode: 'unplanned', reason: 'site down' }),
      }),
    ).rejects.toThrow(`a test failover of gold is pending (job ${test.id})`);
    expect((await jobsOfGold()).map((j) => j.id)).toEqual([test.id]);
  });

  it('a decision on a job that is not a paused failover changes nothing', async () => {
    const other = await addJob({ type: 'failover', target: { kind: 'protection_group', id: 'silver' } });
    await expect(decideFailover(deps, { jobId: other.id, actor: alice, decision: 'commit' })).rejects.toThrow(
      /not paused/,
    );
    await expect(decideFailover(deps, { jobId: other.id, actor: alice, decision: 'maybe' })).rejects.toThrow(
      /decision/,
    );
    expect((await t.store.getJob(other.id))?.status).toBe('pending');
  });

  it('a test failover is refused while a failover of the group has not ended', async () => {
    const fo = await addJob({ type: 'failover', target: { kind: 'protection_group', id: 'gold' } });
    await expect(
      startTestFailover(deps, {
        group: 'gold',
        actor: alice,
        params: {
          vms: ['web-01'],
          resourcePoolMoref: 'resgroup-1',
          hostMorefs: ['host-2000'],
          nfsServer: '127.0.0.1',
        },
      }),
    ).rejects.toThrow(`a failover of gold is pending (job ${fo.id})`);
    // Nor does the schedule replicate into a replica a failover is promoting.
    await expect(replicateGroup(deps, { group: 'gold', actor: alice })).rejects.toThrow(
      `protection group gold is failing over (job ${fo.id})`,
    );
    expect((await jobsOfGold()).filter((j) => j.type === 'replication_sync')).toEqual([]);
    await t.store.transitionJob(fo.id, { type: 'cancel', actor: alice });
  });

  describe('the end of a failover with no decision', () => {
    const fo = {
      group: 'gold',
      mode: 'planned',
      sourceAppliance: 'nas-src',
      targetAppliance: 'nas-dst',
      sourceVcenterId: 'vc-src',
      vcenterId: 'vc-dr',
      sourceDatastore: 'nfs-gold',
      sourceDataset: 'src/vmstore',
      targetDataset: 'dst/vmstore',
      datastore: 'rackops-fo-gold',
      replica: { snapshot: 'rackops-gold-20261207T000000Z', snapshotAt: at },
      params: params(),
    };
    const running = async () => {
      const job = await addJob({
        type: 'failover',
        target: { kind: 'protection_group', id: 'gold' },
        params: params(),
        scheduleAt: at,
      });
      return t.store.transitionJob(job.id, { type: 'start', actor: alice });
    };
    const ops = () => ({ store: t.store, notifier: { notify: async () => {} }, clock: systemClock });

    it('a pause that times out leaves it failed over, says what runs where, and fails the job', async () => {
      const job = await running();
      await finishFailover(ops(), job, {
        jobId: job.id,
        fo,
        chosen: { snapshot: 'rackops-gold-20261207T001000Z', snapshotAt: at, lossWindowS: 0 },
        promoted: { snapshot: 'rackops-gold-20261207T001000Z', rolledBack: true, writable: true },
        shutdown: [
          {
            name: 'web-01',
            done: { powerState: 'poweredOff', how: 'powered-off-after-timeout', timeoutSeconds: 300 },
          },
        ],
        results: [
          {
            name: 'web-01',
            vcenterId: 'vc-dr',
            vmxPath: '[rackops-fo-gold] web-01/web-01.vmx',
            vmMoref: 'vm-9',
            ready: true,
          },
        ],
        pauseEnd: { Error: 'States.Timeout', Cause: 'no decision in 7 days' },
      });
      const done = await t.store.getJob(job.id);
      expect(done?.status).toBe('failed');
      expect(done?.details.result).toMatchObject({ outcome: 'failed-over', vmsUp: 1, reversed: false });
      expect(done?.summary).toMatch(/left failed over, nothing discarded/);
      const report = JSON.stringify(await t.store.getJobItem(job.id, 'note', 'report'));
      expect(report).toContain('1 VM(s) run at vc-dr from dst/vmstore (promoted)');
      expect(report).toContain('powered off after the 300 s guest shutdown timeout');
    });

    /** A failover that fails with `error` after web-01's guest shutdown, no VM up at DR: the job and its report. */
    const failedAfterShutdown = async (
      error: { Error: string; Cause: string },
      opts: { promoteUncertain?: true } = {},
    ) => {
      const job = await running();
      await finishFailover(ops(), job, {
        jobId: job.id,
        fo,
        shutdown: [
          { name: 'web-01', done: { powerState: 'poweredOff', how: 'guest-shutdown', timeoutSeconds: 300 } },
        ],
        error,
        ...opts,
      });
      const done = await t.store.getJob(job.id);
      const report = JSON.stringify(await t.store.getJobItem(job.id, 'note', 'report'));
      return { done, report };
    };

    it('a failure before the promotion says nothing changed at DR and names the source VMs left off', async () => {
      const { done, report } = await failedAfterShutdown({
        Error: 'RelayCommandFailed',
        Cause: 'zfs.replicate: connection refused',
      });
      expect(done?.status).toBe('failed');
      expect(done?.details.result).toMatchObject({ outcome: 'failed' });
      expect(done?.summary).toMatch(/before the promotion/);
      expect(done?.summary).toMatch(/source VMs shut down for it stay off: web-01/);
      expect(report).toContain('nothing changed at DR');
    });

    it('a failed promotion does not claim nothing changed at DR: its outcome there is not known', async () => {
      const { done, report } = await failedAfterShutdown(
        { Error: 'States.Timeout', Cause: 'zfs.promote: no answer' },
        { promoteUncertain: true },
      );
      expect(done?.details.result).toMatchObject({ outcome: 'failed' });
      expect(done?.summary).toMatch(/the promotion failed/);
      expect(report).not.toContain('nothing changed at DR');
      expect(report).toContain('outcome at');
      expect(report).toContain('rackops:promoted');
    });
  });
});
