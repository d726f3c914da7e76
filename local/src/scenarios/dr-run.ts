import { join } from 'node:path';
import type { Job } from '@rackops/core/jobs/job.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { ProtectionGroup } from '@rackops/core/replication/protection-group.schema';
import type { ChatUser } from '@rackops/bot/testing/harness';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { drLab, writeSourceVmxFiles } from '@rackops/lab/testing/dr-lab';
import { resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import { allowNfsExport } from '@rackops/lab/vcenter/nfs-datastores';
import type { World } from '@rackops/lab/world/world';
import { type LoopbackSshd, startLoopbackSshd } from '@rackops/lab/zfs/loopback-sshd';
import { type ZfsSites, startZfsSites, zfsSitesUnavailable } from '@rackops/lab/zfs/zfs-sites';
import { APPROVER, OPERATOR, type ScenarioDriver, startScenario } from './driver';
import { zfsSiteOf } from '../zfs-site';

export const ADMIN: ChatUser = { id: '29:admin', name: 'Ann Admin', aadObjectId: 'aad-admin' };
export const GROUP = 'gold';

/** The DR lab with `n` source VMs (`vm-01`…), or its own two (`web-01`, `db-01`) when `n` is not given. */
export function drLabWith(n?: number): LabConfigInput {
  const lab = drLab();
  if (n === undefined) return lab;
  const [src, dr] = lab.vcenters ?? [];
  if (!src || !dr) throw new Error('the DR lab has two vCenters');
  const vms = Array.from({ length: n }, (_, i) => ({
    name: `vm-${String(i + 1).padStart(2, '0')}`,
    host: i % 2 ? 'SRC002' : 'SRC001',
    cpuMhz: 500,
    memoryMiB: 1_024,
  }));
  return { ...lab, vcenters: [{ ...src, vms }, dr] };
}

/** One disaster-recovery run: two ZFS appliances, the DR lab, a protection group replicated once, by chat. */
export interface DrRun {
  d: ScenarioDriver;
  sites: ZfsSites;
  world: World;
  /** The source and target datasets (on this machine, for markers and checks). */
  src: string;
  dst: string;
  /** The source VMs' names. */
  vms: string[];
  /** The source appliance's own sshd, when asked for (`stopSource` stops it: the appliance is gone). */
  stopSource(): Promise<void>;
  group(): Promise<ProtectionGroup>;
  jobs(type: Job['type']): Promise<Job[]>;
  waitNewest(type: Job['type'], statuses: string[], ms?: number): Promise<Job>;
  drVms(): { name: string; powerState: string }[];
  /** Click `title` on the newest card containing `containing`, once the card shows (its update is asynchronous). */
  click(containing: string, title: string, as?: ChatUser): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Sets up what every DR scenario starts from: the `.vmx` of each source VM in the protected dataset (the lab's
 * source vCenter keeps its VMs in memory), both vCenters in the inventory, the group created with its DR
 * placement (so `failover gold` needs nothing typed), approved by a second person, replicated once.
 * `ownSourceSshd`: the source appliance answers on an sshd of its own, which the run can stop.
 */
export async function startDrRun(
  opts: { lab?: LabConfigInput; timeScale?: number; ownSourceSshd?: boolean } = {},
): Promise<DrRun | { skipped: string }> {
  // Without zfs-fuse startZfsSites falls back to the simulated appliance: only sshd is a must.
  const unavailable = zfsSitesUnavailable();
  if (unavailable) return { skipped: `the ZFS appliances cannot run here: ${unavailable}` };
  const sites = await startZfsSites();
  let sourceSshd: LoopbackSshd | undefined;
  let d: ScenarioDriver | undefined;
  const close = async () => {
    await d?.close();
    await sourceSshd?.close();
    await sites.close();
  };
  try {
    if (opts.ownSourceSshd) sourceSshd = await startLoopbackSshd(join(sites.dir, 'ssh-source'));
    const src = `${sites.sourcePool}/vmstore`;
    const dst = `${sites.targetPool}/vmstore`;
    await sites.zfs('create', src);
    d = await startScenario({
      lab: opts.lab ?? drLab(),
      ...(opts.timeScale ? { timeScale: opts.timeScale } : {}),
      syncInventory: false,
      botConfig: {
        roles: { viewer: [], operator: ['aad-oper'], approver: ['aad-appr'], admin: ['aad-admin'] },
        cardSecret: 'scenario-card-secret-0123456789abcdef',
        progressMinIntervalMs: 200,
      },
      zfs: { sites: { 'nas-a': zfsSiteOf(sourceSshd ?? sites.sshd), 'nas-b': zfsSiteOf(sites.sshd) } },
    });
    const driver = d;
    const world = (driver.stack.lab as { world: World }).world;
    allowNfsExport(world, sites.mountpoint(sites.targetPool));
    allowNfsExport(world, sites.mountpoint(sites.sourcePool));
    const sourceVms = [...world.vms.values()].filter((v) => v.vcenterId === 'vc-src');
    await writeSourceVmxFiles(world, sites.mountpoint(src));
    const jobs = async (type: Job['type']) =>
      (await driver.stack.store.listJobsByTarget('protection_group', GROUP, { limit: 100 })).items
        .filter((j) => j.type === type)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const waitNewest = async (type: Job['type'], statuses: string[], ms = 300_000) => {
      const end = Date.now() + ms;
      for (;;) {
        const j = (await jobs(type)).at(-1);
        if (j && statuses.includes(j.status)) return j;
        if (Date.now() > end)
          throw new Error(`${type}: not ${statuses.join('/')} within ${ms / 1000} s (last: ${j?.status})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    for (const vc of ['vc-src', 'vc-dr']) {
      await driver.say(`inventory sync vcenter ${vc}`);
      await driver.waitForJob(
        'inventory_sync',
        (j) => j.status === 'completed' && j.target.id === vc,
        120_000,
      );
    }
    const vms = sourceVms.map((v) => v.name);
    const pool = resourcePoolOf(world.cluster('dr-a'));
    await driver.say(
      `pg create ${GROUP} nas-a:${src} nas-b:${dst} vcenter vc-src dr-vcenter vc-dr dr-cluster dr-a dr-pool ${pool} dr-nfs 127.0.0.1`,
    );
    await driver.say(`pg approve ${GROUP}`, APPROVER, 'conv-approver');
    for (const vm of vms) {
      const out = (await driver.say(`pg add-vm ${GROUP} ${vm}`)).join('\n');
      if (/waits|approv/i.test(out)) await driver.say(`pg approve ${GROUP}`, APPROVER, 'conv-approver');
    }
    await driver.say(`replicate ${GROUP} now`);
    const first = await waitNewest('replication_sync', ['completed', 'failed']);
    if (first.status !== 'completed') throw new Error(`first replication: ${first.error ?? first.status}`);
    return {
      d: driver,
      sites,
      world,
      src,
      dst,
      vms,
      stopSource: async () => {
        await sourceSshd?.close();
      },
      group: async () => {
        const g = (await createProtectionGroupStore(driver.stack.store).get(GROUP))?.value;
        if (!g) throw new Error(`group ${GROUP} is gone`);
        return g;
      },
      jobs,
      waitNewest,
      drVms: () =>
        [...world.vms.values()]
          .filter((v) => v.vcenterId === 'vc-dr')
          .map((v) => ({ name: v.name, powerState: v.powerState })),
      click: async (containing, title, as) => {
        const end = Date.now() + 60_000;
        while (!driver.cardInputs(containing).buttons.includes(title)) {
          if (Date.now() > end) throw new Error(`no card containing "${containing}" with a ${title} button`);
          await new Promise((res) => setTimeout(res, 100));
        }
        return driver.clickCard(containing, title, as ? { as } : {});
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export { APPROVER, OPERATOR };
