import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import type { Lab } from '@rackops/lab/index';
import { drLab, writeSourceVmxFiles } from '@rackops/lab/testing/dr-lab';
import { resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import { allowNfsExport } from '@rackops/lab/vcenter/nfs-datastores';
import { type ZfsSites, startZfsSites, zfsSitesUnavailable } from '@rackops/lab/zfs/zfs-sites';
import type { LocalStackOptions } from './local-stack/stack-types';
import { zfsSiteOf } from './zfs-site';

/** The protection group the banner suggests creating. */
export const DR_GROUP = 'gold';
export const DR_SOURCE_APPLIANCE = 'nas-src';
export const DR_TARGET_APPLIANCE = 'nas-dst';

/**
 * `npm start -- --dr`: two ZFS appliances (zfs-fuse pools on sparse files behind one loopback sshd with a
 * pinned host key) and the DR lab's two vCenters (`vc-src` with `web-01`, `db-01`; `vc-dr` with cluster
 * `dr-a`) added to the default lab. Nothing is created in RackOps itself: the operator types the commands
 * `commands()` returns, so that they see each step (and its four-eyes approval) in the chat.
 */
export interface DrSetup {
  sites: ZfsSites;
  /** The source and target datasets (`pool/vmstore`). */
  src: string;
  dst: string;
  /** The agent's `zfs.sites`. */
  zfs: NonNullable<LocalStackOptions['zfs']>;
  /** `base` with the DR lab's vCenters added. */
  lab(base: LabConfigInput): LabConfigInput;
  /** Once the lab runs: exports the datasets over "NFS" and writes each source VM's `.vmx` into the dataset. */
  prepare(lab: Lab): Promise<void>;
  /** What to type in the web chat, in order, once `prepare` ran. */
  commands(lab: Lab): { as: 'operator' | 'approver'; text: string; next?: string }[];
  close(): Promise<void>;
}

/**
 * Starts the appliances, or says plainly why it cannot. Another user of zfs-fuse on this machine (a test run)
 * holds the one daemon: waiting `lockWaitMs` for it, not the tests' quarter of an hour, keeps start-up short.
 */
export async function startDrSetup(
  opts: { lockWaitMs?: number } = {},
): Promise<DrSetup | { unavailable: string }> {
  // Without zfs-fuse (no /dev/fuse) startZfsSites falls back to the simulated appliance: only sshd is a must.
  const why = zfsSitesUnavailable();
  if (why) return { unavailable: `the ZFS appliances cannot run here: ${why}` };
  let sites: ZfsSites;
  try {
    sites = await startZfsSites({ lockWaitMs: opts.lockWaitMs ?? 20_000 });
  } catch (err) {
    return {
      unavailable: `the ZFS appliances did not start: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const src = `${sites.sourcePool}/vmstore`;
  const dst = `${sites.targetPool}/vmstore`;
  try {
    await sites.zfs('create', src);
  } catch (err) {
    await sites.close();
    return { unavailable: `the source dataset could not be created: ${String(err)}` };
  }
  const sourceVms = (lab: Lab) => [...lab.world.vms.values()].filter((v) => v.vcenterId === 'vc-src');
  return {
    sites,
    src,
    dst,
    zfs: {
      sites: { [DR_SOURCE_APPLIANCE]: zfsSiteOf(sites.sshd), [DR_TARGET_APPLIANCE]: zfsSiteOf(sites.sshd) },
    },
    lab: (base) => ({ ...base, vcenters: [...base.vcenters, ...(drLab().vcenters ?? [])] }),
    async prepare(lab) {
      allowNfsExport(lab.world, sites.mountpoint(sites.targetPool));
      allowNfsExport(lab.world, sites.mountpoint(sites.sourcePool));
      // The lab's source vCenter keeps its VMs in memory; a failover registers them from the replica's files.
      await writeSourceVmxFiles(lab.world, sites.mountpoint(src));
    },
    commands(lab) {
      const pool = resourcePoolOf(lab.world.cluster('dr-a'));
      return [
        {
          as: 'operator',
          text: `pg create ${DR_GROUP} ${DR_SOURCE_APPLIANCE}:${src} ${DR_TARGET_APPLIANCE}:${dst} vcenter vc-src dr-vcenter vc-dr dr-cluster dr-a dr-pool ${pool} dr-nfs 127.0.0.1`,
        },
        { as: 'approver', text: `pg approve ${DR_GROUP}` },
        // A production group's every change waits for a second person.
        ...sourceVms(lab).flatMap((vm) => [
          { as: 'operator' as const, text: `pg add-vm ${DR_GROUP} ${vm.name}` },
          { as: 'approver' as const, text: `pg approve ${DR_GROUP}` },
        ]),
        { as: 'operator', text: `replicate ${DR_GROUP} now` },
        { as: 'operator', text: 'protection groups' },
        {
          as: 'operator',
          text: `failover test ${DR_GROUP} confirm`,
          next: 'when the VMs are up at DR: Clean up on its card',
        },
        {
          as: 'operator',
          text: `failover ${DR_GROUP} confirm`,
          next: 'the approver types `approvals`, then `job ID`, and clicks Approve; then Commit or Roll back',
        },
      ];
    },
    close: () => sites.close(),
  };
}
