import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPORT_NOTE_KEY } from '@rackops/core/jobs/job-report.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { smallLab } from '@rackops/lab/testing/small-lab';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack';
import { zfsSiteOf } from '../src/zfs-site';
import { useCaseDepsOf, waitForJob } from './helpers/zfs-stack';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`replication mode tests skipped: ${unavailable}`);

const run = promisify(execFile);
const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };
/** A group name long enough that its snapshot's full name on the long dataset below passes ZFS's limit. */
const BROKEN = 'broken-snapshot-name-too-long-for-zfs-limits';

/** Two hosts of cluster `test-a` (datastore `test-a-ds01`), three VMs on it, and the vCenter's own appliance. */
function labWithVms() {
  const lab = smallLab(2);
  const vm = (name: string, host: string) => ({ name, host, cpuMhz: 1000, memoryMiB: 2048 });
  const [vc] = lab.vcenters;
  return {
    ...lab,
    vcenters: [
      {
        ...vc!,
        vms: [
          vm('web-01', 'TEST001'),
          vm('web-02', 'TEST001'),
          vm('db-01', 'TEST002'),
          { ...vm('vcsa-test', 'TEST002'), isVcenterAppliance: true },
        ],
      },
    ],
  };
}

/**
 * A VM-consistent group's `replication_sync` on the local engine (the same ASL as AWS, validated when the
 * engine loads it): quiesced VMware snapshots on the lab vCenter around the ZFS snapshot on real zfs-fuse,
 * removed afterwards — also when the ZFS step fails.
 */
describe.skipIf(unavailable !== undefined)(
  'replication_sync of a VM-consistent group, and of a direct-transport one',
  () => {
    let sites: ZfsSites;
    let stack: LocalStack;
    let deps: UseCaseDeps;
    let src: string;
    let dst: string;

    beforeAll(async () => {
      sites = await startZfsSites();
      src = `${sites.sourcePool}/vmstore`;
      dst = `${sites.targetPool}/vmstore`;
      await sites.zfs('create', src);
      const site = zfsSiteOf(sites.sshd);
      // The source appliance's own trust in the target, for the direct transport: a key and a known_hosts.
      const hopKey = join(sites.dir, 'hop_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hopKey]);
      await appendFile(join(sites.dir, 'ssh', 'authorized_keys'), await readFile(`${hopKey}.pub`));
      const hostPub = (await readFile(join(sites.dir, 'ssh', 'host_ed25519.pub'), 'utf8'))
        .trim()
        .split(/\s+/);
      const knownHosts = join(sites.dir, 'hop_known_hosts');
      await writeFile(knownHosts, `[127.0.0.1]:${sites.sshd.port} ${hostPub[0]} ${hostPub[1]}\n`);
      const hop = {
        host: '127.0.0.1',
        port: sites.sshd.port,
        user: sites.sshd.username,
        identityFile: hopKey,
        knownHostsFile: knownHosts,
      };
      stack = await startLocalStack({
        lab: labWithVms(),
        zfs: { sites: { 'nas-src': { ...site, direct: { 'nas-dst': hop } }, 'nas-dst': site } },
      });
      deps = useCaseDepsOf(stack);
      const pgs = createProtectionGroupStore(stack.store);
      const group = (name: string, dataset: string) => ({
        name,
        source: { vcenterId: 'vc-test', datastore: 'test-a-ds01', appliance: 'nas-src', dataset },
        target: { vcenterId: 'vc-test', datastore: 'dr', appliance: 'nas-dst', dataset: `${dst}-${name}` },
        members: { kind: 'datastore' as const },
        rpoMinutes: 15,
        retention: { frequent: 2, hourly: 0, daily: 0, weekly: 0 },
        vmConsistent: true,
        createdBy: alice,
        createdAt: new Date().toISOString(),
      });
      await pgs.create(group('consistent', src));
      // Its dataset exists (the preflight passes) but its name is so long that `dataset@rackops-<group>-<stamp>`
      // passes ZFS's 255 characters: the ZFS snapshot step fails after the VMs were quiesced.
      await sites.zfs('create', longDataset());
      await pgs.create(group(BROKEN, longDataset()));
      // Crash-consistent, sent appliance to appliance.
      await pgs.create({ ...group('direct', src), vmConsistent: false, transport: 'direct' });
    }, ZFS_SITES_WAIT_MS + 120_000); // may wait for another file's ZFS sites to close (machine-lock.ts)
    afterAll(async () => {
      await stack?.stop();
      await sites?.close();
    }, 150_000);

    const longDataset = () => `${sites.sourcePool}/${'d'.repeat(199 - sites.sourcePool.length)}`;
    const world = () => {
      if (!stack.lab) throw new Error('no lab');
      return stack.lab.world;
    };
    const vms = () => [...world().vms.values()].filter((v) => !v.isVcenterAppliance);
    const vmwareSnapshotsLeft = () => vms().flatMap((v) => v.snapshots ?? []);
    const settled = (jobId: string) =>
      waitForJob(stack, jobId, ['completed', 'failed', 'cancelled'], 150_000);
    const stepStatus = async (jobId: string) =>
      Object.fromEntries((await stack.store.listSteps(jobId)).map((s) => [s.key, s.status]));
    const lines = async (jobId: string) => (await stack.store.listLog(jobId)).items.map((l) => l.message);

    it('quiesces every VM on the datastore, takes the ZFS snapshot, removes the VMware snapshots, replicates', async () => {
      await mkdir(join(sites.mountpoint(src), 'web-01'), { recursive: true });
      await writeFile(join(sites.mountpoint(src), 'web-01', 'web-01.vmx'), 'displayName = "web-01"\n');
      const { job } = await replicateGroup(deps, { group: 'consistent', actor: alice });
      const done = await settled(job.id);
      expect(done.status, done.summary).toBe('completed');
      expect(await stepStatus(job.id)).toMatchObject({
        quiesce: 'completed',
        snapshot: 'completed',
        release: 'completed',
        replicate: 'completed',
      });
      // The quiesce and the removal were vCenter commands, in that order around the ZFS snapshot.
      const log = await lines(job.id);
      const at = (what: string) => log.findIndex((l) => l.includes(`sent ${what}`));
      expect(at('vm.quiesce-snapshot')).toBeGreaterThanOrEqual(0);
      expect(at('vm.quiesce-snapshot')).toBeLessThan(at('zfs.snapshot'));
      expect(at('zfs.snapshot')).toBeLessThan(at('vm.remove-snapshots'));
      expect(at('vm.remove-snapshots')).toBeLessThan(at('zfs.replicate'));
      expect(vmwareSnapshotsLeft()).toEqual([]);
      const replica = (await createProtectionGroupStore(stack.store).get('consistent'))?.value.lastReplica;
      expect(replica).toMatchObject({ vmConsistent: true, quiesceFailed: [] });
      // Only the appliance, left alone on purpose, is crash-consistent: no quiesce failed.
      expect(done.summary).not.toContain('quiesce failed');
      expect(done.summary).toContain("Skipped: vcsa-test: vCenter's own appliance: never quiesced");
      const report = await stack.store.getJobItem<{ facts: { title: string; value: string }[] }>(
        job.id,
        'note',
        REPORT_NOTE_KEY,
      );
      expect(report?.facts).toContainEqual({
        title: 'Consistency',
        value: 'VM-consistent: 3 VM(s) quiesced, their VMware snapshots removed',
      });
      // vCenter's own appliance is on the datastore too: never quiesced, named in the report.
      expect(report?.facts).toContainEqual({
        title: 'Skipped: vcsa-test',
        value: "vCenter's own appliance: never quiesced; crash-consistent in the replica",
      });
      const vcsa = [...world().vms.values()].find((v) => v.isVcenterAppliance);
      expect(vcsa?.snapshots ?? []).toEqual([]);
    }, 200_000);

    it('a VM whose quiesce fails is named: crash-consistent for it, the run completes, nothing left behind', async () => {
      await new Promise((r) => setTimeout(r, 1100)); // snapshot names carry the second
      const web01 = vms().find((v) => v.name === 'web-01');
      world().faults.set('TEST001', { vmQuiesceFails: true });
      try {
        const { job } = await replicateGroup(deps, { group: 'consistent', actor: alice });
        const done = await settled(job.id);
        expect(done.status, done.summary).toBe('completed');
        expect(done.summary).toMatch(
          /crash-consistent for (web-01, web-02|web-02, web-01) \(quiesce failed\)/,
        );
        const replica = (await createProtectionGroupStore(stack.store).get('consistent'))?.value.lastReplica;
        expect(replica?.vmConsistent).toBe(false);
        expect(replica?.quiesceFailed).toContain(web01?.moref);
        expect(replica?.incremental).toBe(true);
        expect(vmwareSnapshotsLeft()).toEqual([]);
      } finally {
        world().faults.clear('TEST001');
      }
    }, 200_000);

    it('the ZFS snapshot fails: the VMware snapshots are removed all the same and the run fails naming the step', async () => {
      const { job } = await replicateGroup(deps, { group: BROKEN, actor: alice });
      const done = await settled(job.id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/snapshot failed: .*name is too long/);
      expect(await stepStatus(job.id)).toMatchObject({
        quiesce: 'completed',
        snapshot: 'failed',
        release: 'completed',
      });
      expect((await stepStatus(job.id)).replicate).toBeUndefined();
      expect(vmwareSnapshotsLeft()).toEqual([]);
      expect((await createProtectionGroupStore(stack.store).get(BROKEN))?.value.lastReplica).toBeUndefined();
    }, 200_000);

    it('a group with the direct transport replicates appliance to appliance through the same workflow', async () => {
      await writeFile(join(sites.mountpoint(src), 'direct.txt'), 'sent by the appliance\n');
      const { job } = await replicateGroup(deps, { group: 'direct', actor: alice });
      const done = await settled(job.id);
      expect(done.status, done.summary).toBe('completed');
      expect(await stepStatus(job.id)).toMatchObject({ snapshot: 'completed', replicate: 'completed' });
      expect((await stepStatus(job.id)).quiesce).toBeUndefined();
      expect(await lines(job.id)).toContainEqual(expect.stringContaining('(direct transport)'));
      const report = await stack.store.getJobItem<{ facts: { title: string; value: string }[] }>(
        job.id,
        'note',
        REPORT_NOTE_KEY,
      );
      expect(report?.facts).toContainEqual({ title: 'Transfer', value: 'full (direct)' });
      expect((await sites.readFresh(`${dst}-direct`, 'direct.txt')).toString()).toBe(
        'sent by the appliance\n',
      );
      expect(vmwareSnapshotsLeft()).toEqual([]);
    }, 200_000);
  },
);
