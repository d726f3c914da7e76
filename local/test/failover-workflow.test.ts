import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '@rackops/core/jobs/job.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { decideFailover, startFailover } from '@rackops/core/usecases/failover';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { forceResumeJob } from '@rackops/core/usecases/resume-job';
import { resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import { formatVmx } from '@rackops/lab/vcenter/vmx-file';
import type { World } from '@rackops/lab/world/world';
import { type LinkSwitch, startLinkSwitch } from '@rackops/lab/zfs/link-switch';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../src/stack';
import { createGoldGroup, startDrStack } from './helpers/dr-stack';
import { waitForJob } from './helpers/zfs-stack';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`failover workflow tests skipped: ${unavailable}`);

const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };

/**
 * `failover` end to end: the ASL on the local engine, the in-process agent on real zfs-fuse over SSH and the
 * lab's two vCenters, both pauses on task tokens, decisions through the use case the chat's buttons call. The
 * source appliance is reached through a link switch: cut, it is "the source site is down".
 */
describe.skipIf(unavailable !== undefined)(
  'failover through the local engine, agent, lab and zfs-fuse',
  () => {
    let sites: ZfsSites;
    let link: LinkSwitch;
    let stack: LocalStack;
    let deps: UseCaseDeps;
    let world: World;
    let src: string;
    let dst: string;

    beforeAll(async () => {
      sites = await startZfsSites();
      link = await startLinkSwitch({ host: sites.sshd.host, port: sites.sshd.port });
      src = `${sites.sourcePool}/vmstore`;
      dst = `${sites.targetPool}/vmstore`;
      await sites.zfs('create', src);
      ({ stack, world, deps } = await startDrStack(sites, src, {
        sourcePort: link.port,
        exportSource: true,
      }));
      await createGoldGroup(
        stack,
        { src, dst },
        {
          retention: { frequent: 3, hourly: 0, daily: 0, weekly: 0 },
          production: false,
          createdBy: alice,
        },
      );
    }, ZFS_SITES_WAIT_MS + 120_000);
    afterAll(async () => {
      await stack?.stop();
      await link?.close();
      await sites?.close();
    }, 150_000);

    const srcVms = () => [...world.vms.values()].filter((v) => v.vcenterId === 'vc-src');
    const drVms = () => [...world.vms.values()].filter((v) => v.vcenterId === 'vc-dr');
    const drDatastores = () => world.vcenters.get('vc-dr')?.nfsDatastores.map((d) => d.name) ?? [];
    const group = async () => (await createProtectionGroupStore(stack.store).get('gold'))?.value;
    const waitFor = (jobId: string, statuses: string[], ms = 240_000) =>
      waitForJob(stack, jobId, statuses, ms);
    const lines = async (jobId: string) =>
      (await stack.store.listLog(jobId)).items.map((l) => l.message).join('\n');
    const replicate = async (name = 'gold') => {
      await new Promise((r) => setTimeout(r, 1100));
      const { job } = await replicateGroup(deps, { group: name, actor: alice });
      return waitFor(job.id, ['completed', 'failed', 'cancelled']);
    };
    const params = (extra: Record<string, unknown> = {}) => ({
      vms: ['web-01', 'db-01'],
      sourceMorefs: Object.fromEntries(srcVms().map((v) => [v.name, v.moref])),
      resourcePoolMoref: resourcePoolOf(world.cluster('dr-a')),
      hostMorefs: world.hostsInCluster('dr-a').map((h) => h.moref),
      nfsServer: '127.0.0.1',
      shutdownTimeoutSeconds: 60,
      toolsTimeoutSeconds: 120,
      ...extra,
    });
    const decide = async (job: Job, decision: string) => {
      const paused = await waitFor(job.id, ['paused', 'completed', 'failed', 'cancelled']);
      expect(paused.status, await lines(job.id)).toBe('paused');
      await decideFailover(deps, { jobId: job.id, actor: alice, decision });
    };

    it('planned: no write before the shutdown is lost; Roll back then confirm leaves DR empty, replication goes on', async () => {
      expect((await replicate()).status).toBe('completed');
      // The last write at the source, after the last scheduled replica: only the final sync carries it.
      await writeFile(
        join(sites.mountpoint(src), 'web-01', 'marker.txt'),
        'written just before the shutdown',
      );
      const { job, outcome } = await startFailover(deps, { group: 'gold', actor: alice, params: params() });
      expect(outcome).toBe('started');
      const paused = await waitFor(job.id, ['paused', 'completed', 'failed']);
      expect(paused.status, await lines(job.id)).toBe('paused');
      expect(paused.details.pause).toBe('decide');
      expect(paused.details.vms).toEqual([
        { name: 'web-01', state: 'up' },
        { name: 'db-01', state: 'up' },
      ]);
      expect(await readFile(join(sites.mountpoint(dst), 'web-01', 'marker.txt'), 'utf8')).toBe(
        'written just before the shutdown',
      );
      expect(srcVms().map((v) => v.powerState)).toEqual(['poweredOff', 'poweredOff']);
      expect(
        drVms()
          .map((v) => [v.name, v.powerState])
          .sort(),
      ).toEqual([
        ['db-01', 'poweredOn'],
        ['web-01', 'poweredOn'],
      ]);
      // Another failover of the group while this one is up: refused, nothing created.
      await expect(startFailover(deps, { group: 'gold', actor: alice, params: params() })).rejects.toThrow(
        /a failover of gold is paused/,
      );
      // Commit is not what the second pause takes, and rollback-confirmed not what the first does.
      await expect(
        decideFailover(deps, { jobId: job.id, actor: alice, decision: 'rollback-confirmed' }),
      ).rejects.toThrow(/commit or rollback/);

      await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'rollback' });
      const second = await waitFor(job.id, ['paused', 'completed', 'failed'], 240_000);
      // The first resume's pause is done once the job shows the second one.
      for (
        let i = 0;
        i < 600 && (await stack.store.getJob(job.id))?.details.pause !== 'confirm-rollback';
        i++
      )
        await new Promise((r) => setTimeout(r, 200));
      expect(second.status).not.toBe('failed');
      await decide(job, 'rollback-confirmed');
      const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
      expect(done.status, await lines(job.id)).toBe('completed');
      expect(done.details.result).toMatchObject({ mode: 'planned', outcome: 'rolled-back', lossWindowS: 0 });
      expect(drVms()).toEqual([]);
      expect(drDatastores()).toEqual([]);
      expect((await group())?.direction).toBe('original');
      // The original direction resumes: the replica takes increments again.
      const after = await replicate();
      expect(after.status, after.summary).toBe('completed');
      expect(after.summary).toMatch(/increment/);
    }, 600_000);

    it('unplanned with the source appliance down: the report states the replica’s age as the loss window', async () => {
      for (const v of srcVms()) v.powerState = 'poweredOn';
      expect((await replicate()).status).toBe('completed');
      const replicaAt = (await group())?.lastReplica?.snapshotAt as string;
      await link.cut();
      try {
        await expect(
          startFailover(deps, {
            group: 'gold',
            actor: alice,
            params: params({ mode: 'unplanned', reason: 'site A lost power' }),
          }),
        ).rejects.toThrow(/admin/);
        const { job } = await startFailover(deps, {
          group: 'gold',
          actor: alice,
          admin: true,
          params: params({ mode: 'unplanned', reason: 'site A lost power', sourceMorefs: {} }),
        });
        const paused = await waitFor(job.id, ['paused', 'completed', 'failed']);
        expect(paused.status, await lines(job.id)).toBe('paused');
        // The window runs from the replica's point in time to the failover's start ("now": no failure time given).
        const expected = (Date.parse(paused.startedAt ?? '') - Date.parse(replicaAt)) / 1000;
        expect(expected).toBeGreaterThan(0);
        expect(Math.abs((paused.details.lossWindowS as number) - expected)).toBeLessThanOrEqual(1);
        expect(drVms().map((v) => v.powerState)).toEqual(['poweredOn', 'poweredOn']);
        await decide(job, 'rollback');
        for (
          let i = 0;
          i < 600 && (await stack.store.getJob(job.id))?.details.pause !== 'confirm-rollback';
          i++
        )
          await new Promise((r) => setTimeout(r, 200));
        await decide(job, 'rollback-confirmed');
        const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
        expect(done.status, await lines(job.id)).toBe('completed');
        const result = done.details.result as { lossWindowS: number; mode: string };
        expect(result.mode).toBe('unplanned');
        expect(Math.abs(result.lossWindowS - expected)).toBeLessThanOrEqual(1);
        expect(drVms()).toEqual([]);
      } finally {
        await link.restore();
      }
    }, 600_000);

    it('planned then Commit: the group records the new direction and the next replication runs DR → source', async () => {
      for (const v of srcVms()) v.powerState = 'poweredOn';
      expect((await replicate()).status).toBe('completed');
      const { job } = await startFailover(deps, { group: 'gold', actor: alice, params: params() });
      await decide(job, 'commit');
      const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
      expect(done.status, await lines(job.id)).toBe('completed');
      expect(done.details.result).toMatchObject({ outcome: 'committed', reversed: true, vmsUp: 2 });
      const g = await group();
      expect(g?.direction).toBe('reversed');
      expect(g?.source).toMatchObject({ appliance: 'nas-dst', dataset: dst, vcenterId: 'vc-dr' });
      expect(g?.target).toMatchObject({ appliance: 'nas-src', dataset: src, vcenterId: 'vc-src' });
      expect(g?.history.map((h) => [h.jobId, h.mode, h.reversed])).toEqual([[job.id, 'planned', true]]);
      // A write at DR after the commit reaches the original site with the next run.
      await writeFile(join(sites.mountpoint(dst), 'db-01', 'at-dr.txt'), 'written at DR');
      const back = await replicate();
      expect(back.status, back.summary).toBe('completed');
      expect(await readFile(join(sites.mountpoint(src), 'db-01', 'at-dr.txt'), 'utf8')).toBe('written at DR');
      // Both VMs stay up at DR, the source copies off: nothing at the source was destroyed.
      expect(drVms().map((v) => v.powerState)).toEqual(['poweredOn', 'poweredOn']);
      expect(await readFile(join(sites.mountpoint(src), 'web-01', 'marker.txt'), 'utf8')).toBe(
        'written just before the shutdown',
      );
    }, 600_000);

    it('a resume with no decision (forced) leaves the group failed over and says what runs where', async () => {
      // A group of its own, with a VM the source vCenter does not have: an unplanned failover needs none there.
      const from = `${sites.sourcePool}/silver`;
      const to = `${sites.targetPool}/silver`;
      await sites.zfs('create', from);
      await mkdir(join(sites.mountpoint(from), 'app-01'), { recursive: true });
      await writeFile(
        join(sites.mountpoint(from), 'app-01', 'app-01.vmx'),
        formatVmx({
          name: 'app-01',
          memoryMiB: 1024,
          numCpu: 1,
          biosUuid: '42111111-2222-3333-4444-555555555555',
          instanceUuid: '50111111-2222-3333-4444-555555555555',
          networkName: 'VM Network',
        }),
      );
      await createProtectionGroupStore(stack.store).create({
        name: 'silver',
        source: { vcenterId: 'vc-src', datastore: 'nfs-silver', appliance: 'nas-src', dataset: from },
        target: { vcenterId: 'vc-dr', datastore: 'nfs-silver-dr', appliance: 'nas-dst', dataset: to },
        members: { kind: 'datastore' },
        rpoMinutes: 15,
        retention: {},
        production: false,
        createdBy: alice,
        createdAt: new Date().toISOString(),
      });
      expect((await replicate('silver')).status).toBe('completed');
      const { job } = await startFailover(deps, {
        group: 'silver',
        actor: alice,
        admin: true,
        params: params({ vms: ['app-01'], sourceMorefs: {}, mode: 'unplanned', reason: 'drill' }),
      });
      const paused = await waitFor(job.id, ['paused', 'completed', 'failed']);
      expect(paused.status, await lines(job.id)).toBe('paused');
      await forceResumeJob(deps, { jobId: job.id, actor: alice, reason: 'clicked the wrong thing' });
      const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
      expect(done.status, await lines(job.id)).toBe('failed');
      expect(done.details.result).toMatchObject({ outcome: 'failed-over', vmsUp: 1 });
      expect(done.summary).toMatch(/resumed without a decision: left failed over, nothing discarded/);
      expect(drVms().find((v) => v.name === 'app-01')?.powerState).toBe('poweredOn');
      expect(drDatastores()).toContain('rackops-fo-silver');
      const report = JSON.stringify(await stack.store.getJobItem(job.id, 'note', 'report'));
      expect(report).toContain(`1 VM(s) run at vc-dr from ${to} (promoted)`);
    }, 600_000);
  },
);
