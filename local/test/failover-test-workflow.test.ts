import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { cleanUpTestFailover, startTestFailover } from '@rackops/core/usecases/failover-test';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { portGroupMoref, resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import type { World } from '@rackops/lab/world/world';
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
if (unavailable) console.warn(`test failover workflow tests skipped: ${unavailable}`);

const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };

/**
 * `failover_test` end to end: the ASL on the local engine, the in-process agent cloning on real zfs-fuse over
 * SSH and driving the lab's DR vCenter (`vc-dr`), the pause on a task token, *Clean up* through the use-case
 * the chat's button calls. The source VMs' `.vmx` files are written into the source dataset here: the lab's
 * source vCenter keeps its VMs in memory, and replication must carry real files for the DR side to register.
 */
describe.skipIf(unavailable !== undefined)(
  'failover_test through the local engine, agent, lab and zfs-fuse',
  () => {
    let sites: ZfsSites;
    let stack: LocalStack;
    let deps: UseCaseDeps;
    let world: World;
    let src: string;
    let dst: string;

    beforeAll(async () => {
      sites = await startZfsSites();
      src = `${sites.sourcePool}/vmstore`;
      dst = `${sites.targetPool}/vmstore`;
      await sites.zfs('create', src);
      ({ stack, world, deps } = await startDrStack(sites, src));
      await createGoldGroup(
        stack,
        { src, dst },
        {
          // Keep only the newest: a prune during the test meets the clone's origin snapshot.
          retention: { frequent: 1, hourly: 0, daily: 0, weekly: 0 },
          createdBy: alice,
        },
      );
    }, ZFS_SITES_WAIT_MS + 120_000);
    afterAll(async () => {
      await stack?.stop();
      await sites?.close();
    }, 150_000);

    const waitFor = (jobId: string, statuses: string[], ms = 180_000) =>
      waitForJob(stack, jobId, statuses, ms);
    const replicate = async () => {
      await new Promise((r) => setTimeout(r, 1100));
      const { job } = await replicateGroup(deps, { group: 'gold', actor: alice });
      return waitFor(job.id, ['completed', 'failed', 'cancelled']);
    };
    const clones = async () =>
      (await sites.zfs('list', '-H', '-o', 'name')).split('\n').filter((d) => d.includes('rackops-test-'));
    const snapshotsOf = async (dataset: string) =>
      (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', dataset))
        .split('\n')
        .filter(Boolean)
        .map((n) => n.split('@')[1]);
    const drVms = () => [...world.vms.values()].filter((v) => v.vcenterId === 'vc-dr');
    const drDatastores = () => world.vcenters.get('vc-dr')?.nfsDatastores.map((d) => d.name) ?? [];
    const params = (extra: Record<string, unknown> = {}) => ({
      vms: ['web-01', 'db-01'],
      resourcePoolMoref: resourcePoolOf(world.cluster('dr-a')),
      hostMorefs: world.hostsInCluster('dr-a').map((h) => h.moref),
      nfsServer: '127.0.0.1',
      toolsTimeoutSeconds: 120,
      ...extra,
    });

    it('brings the VMs up on the isolated network, replication goes on meanwhile, Clean up leaves nothing behind', async () => {
      expect((await replicate()).status).toBe('completed');
      const { job, outcome } = await startTestFailover(deps, {
        group: 'gold',
        actor: alice,
        params: params(),
      });
      expect(outcome).toBe('started');
      const paused = await waitFor(job.id, ['paused', 'completed', 'failed']);
      expect(paused.status, paused.summary).toBe('paused');
      expect(paused.details.vms).toEqual([
        { name: 'web-01', state: 'up' },
        { name: 'db-01', state: 'up' },
      ]);
      expect(await clones()).toHaveLength(1);
      expect(drDatastores()).toEqual([expect.stringMatching(/^rackops-test-gold-\d{8}T\d{6}Z$/)]);
      expect(
        drVms()
          .map((v) => [v.name, v.powerState])
          .sort(),
      ).toEqual([
        ['db-01-test', 'poweredOn'],
        ['web-01-test', 'poweredOn'],
      ]);
      // Every NIC on the isolated port group, none left on the production network.
      const testNet = portGroupMoref(world.vcenters.get('vc-dr')?.portGroups.indexOf('dr-test') ?? -1);
      expect(drVms().map((v) => v.networkMoref)).toEqual([testNet, testNet]);

      // A second test of the group while this one is up is refused, nothing created.
      await expect(
        startTestFailover(deps, { group: 'gold', actor: alice, params: params() }),
      ).rejects.toThrow(/still up/);

      // Replication goes on into the replica: the clone's origin is kept by the prune, said so.
      const during = await replicate();
      expect(during.status, during.summary).toBe('completed');
      expect(during.summary).toMatch(/increment/);
      const [clone] = await clones();
      const origin = (await sites.zfs('get', '-H', '-o', 'value', 'origin', clone ?? '')).trim();
      expect(await snapshotsOf(dst)).toContain(origin.split('@')[1]);
      expect(await snapshotsOf(dst)).toHaveLength(2);

      await cleanUpTestFailover(deps, { jobId: job.id, actor: alice });
      const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
      expect(done.status, done.summary).toBe('completed');
      expect(done.summary).toContain('2 of 2 VM(s) up at DR');
      expect(await clones()).toEqual([]);
      expect(drVms()).toEqual([]);
      expect(drDatastores()).toEqual([]);

      // And replication still runs after it, the snapshot kept for the clone pruned now.
      const after = await replicate();
      expect(after.status, after.summary).toBe('completed');
      expect(await snapshotsOf(dst)).toHaveLength(1);
    }, 420_000);

    it('a failure after the clone (the DR hosts cannot mount it) cleans up: no clone, no datastore, no VM', async () => {
      const { job } = await startTestFailover(deps, {
        group: 'gold',
        actor: alice,
        params: params({ nfsServer: 'nas.example.net' }),
      });
      const done = await waitFor(job.id, ['completed', 'failed', 'cancelled', 'paused']);
      const lines = (await stack.store.listLog(job.id)).items.map((l) => l.message);
      expect(done.status, lines.join('\n')).toBe('failed');
      expect(done.summary, lines.join('\n')).toMatch(/test failed/);
      expect(await clones()).toEqual([]);
      expect(drVms()).toEqual([]);
      expect(drDatastores()).toEqual([]);
    }, 240_000);
  },
);
