import type { Job } from '@rackops/core/jobs/job.schema';
import { drLab, writeSourceVmxFiles } from '@rackops/lab/testing/dr-lab';
import { resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import { allowNfsExport } from '@rackops/lab/vcenter/nfs-datastores';
import type { World } from '@rackops/lab/world/world';
import { startZfsSites, zfsSitesUnavailable } from '@rackops/lab/zfs/zfs-sites';
import { APPROVER, startScenario } from './driver';

const GROUP = 'gold';

/**
 * Runbook: a protected dataset holds the `.vmx` files of two source VMs (written here: the lab's source
 * vCenter keeps its VMs in memory). By chat: the group is created and approved, replicated once; `failover test`
 * shows the plan, then with `confirm` brings both VMs up at the DR vCenter from a clone, on the isolated
 * `dr-test` port group. While the test is up a replication runs; *Clean up* on the card leaves no clone, no
 * registered VM and no datastore at DR.
 */
export async function run() {
  const unavailable = zfsSitesUnavailable();
  if (unavailable) return { ok: false, skipped: `no ZFS sites here: ${unavailable}` };
  const sites = await startZfsSites();
  const site = {
    host: sites.sshd.host,
    port: sites.sshd.port,
    user: sites.sshd.username,
    keyFile: sites.sshd.clientKeyPath,
    hostKeyFingerprint: sites.sshd.hostKeyFingerprint,
  };
  const src = `${sites.sourcePool}/vmstore`;
  const dst = `${sites.targetPool}/vmstore`;
  try {
    await sites.zfs('create', src);
    const d = await startScenario({ lab: drLab(), zfs: { sites: { 'nas-a': site, 'nas-b': site } } });
    try {
      const world = (d.stack.lab as { world: World }).world;
      allowNfsExport(world, sites.mountpoint(sites.targetPool));
      await writeSourceVmxFiles(world, sites.mountpoint(src));
      const jobs = async (type: Job['type']) =>
        (await d.stack.store.listJobsByTarget('protection_group', GROUP, { limit: 100 })).items
          .filter((j) => j.type === type)
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const waitNewest = async (type: Job['type'], statuses: string[], ms = 180_000) => {
        const end = Date.now() + ms;
        for (;;) {
          const j = (await jobs(type)).at(-1);
          if (j && statuses.includes(j.status)) return j;
          if (Date.now() > end) throw new Error(`${type}: not ${statuses.join('/')} within ${ms / 1000} s`);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const clones = async () =>
        (await sites.zfs('list', '-H', '-o', 'name')).split('\n').filter((n) => n.includes('rackops-test-'));
      const drVms = () => [...world.vms.values()].filter((v) => v.vcenterId === 'vc-dr');
      const drDatastores = () => world.vcenters.get('vc-dr')?.nfsDatastores.length ?? 0;

      await d.say(`pg create ${GROUP} nas-a:${src} nas-b:${dst} vcenter vc-src dr-vcenter vc-dr`);
      await d.say(`pg approve ${GROUP}`, APPROVER, 'conv-approver');
      await d.say(`replicate ${GROUP} now`);
      const firstSync = await waitNewest('replication_sync', ['completed', 'failed']);

      // The DR vCenter's cluster and hosts into the inventory: the test mounts the clone on each host.
      await d.say('inventory sync vcenter vc-dr');
      await d.waitForJob('inventory_sync', (j) => j.status === 'completed', 120_000);
      const pool = resourcePoolOf(world.cluster('dr-a'));
      const cmd = `failover test ${GROUP} vms web-01,db-01 cluster dr-a pool ${pool} nfs 127.0.0.1`;
      const plan = (await d.say(cmd)).join('\n');
      const planFirst = plan.includes('Nothing has run') && (await jobs('failover_test')).length === 0;
      const started = Date.now();
      await d.say(`${cmd} confirm`);
      const paused = await waitNewest('failover_test', ['paused', 'completed', 'failed']);
      const up_s = (Date.now() - started) / 1000;
      const vmsAtDr = drVms();
      const vmsUpAtDr = vmsAtDr.filter((v) => v.powerState === 'poweredOn').length;
      // `dr-test` is the DR vCenter's first extra port group (network-100 in the lab).
      const isolated = vmsAtDr.length > 0 && vmsAtDr.every((v) => v.networkMoref === 'network-100');
      const clonesDuringTest = (await clones()).length;

      // Replication goes on while the test is up.
      await new Promise((r) => setTimeout(r, 1100));
      await d.say(`replicate ${GROUP} now`);
      const syncDuringTest = await waitNewest('replication_sync', ['completed', 'failed']);

      await d.clickCard('🧪 Test failover up at DR', 'Clean up');
      const done = await waitNewest('failover_test', ['completed', 'failed', 'cancelled']);
      const testCleanedUp = (await clones()).length === 0 && drVms().length === 0 && drDatastores() === 0;
      const checks = {
        firstSync: firstSync.status === 'completed',
        planFirst,
        paused: paused.status === 'paused',
        isolated,
        cloneWhileUp: clonesDuringTest === 1,
        replicationDuringTest: syncDuringTest.status === 'completed' && syncDuringTest.id !== firstSync.id,
        completed: done.status === 'completed',
        testCleanedUp,
      };
      return {
        ok: vmsUpAtDr === 2 && Object.values(checks).every(Boolean),
        vmsUpAtDr,
        ...checks,
        up_s: Math.round(up_s * 10) / 10,
        summary: done.summary?.slice(0, 200),
      };
    } finally {
      await d.close();
    }
  } finally {
    await sites.close();
  }
}
