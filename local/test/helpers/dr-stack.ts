import type { ProtectionGroupInput } from '@rackops/core/replication/protection-group.schema';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { drLab, writeSourceVmxFiles } from '@rackops/lab/testing/dr-lab';
import { allowNfsExport } from '@rackops/lab/vcenter/nfs-datastores';
import type { World } from '@rackops/lab/world/world';
import type { ZfsSites } from '@rackops/lab/zfs/zfs-sites';
import { type LocalStack, startLocalStack } from '../../src/stack';
import { zfsSiteOf } from '../../src/zfs-site';
import { useCaseDepsOf } from './zfs-stack';

export interface DrStack {
  stack: LocalStack;
  world: World;
  deps: UseCaseDeps;
}

/**
 * The DR lab's two vCenters on the local stack, its agent on the ZFS sites as `nas-src` and `nas-dst`. The
 * target appliance exports its pool's mount root to the DR hosts (loopback NFS in the lab); the source VMs'
 * `.vmx` files are written into `src`: the lab's source vCenter keeps its VMs in memory, and replication must
 * carry real files for the DR side to register.
 */
export async function startDrStack(
  sites: ZfsSites,
  src: string,
  opts: { sourcePort?: number; exportSource?: boolean } = {},
): Promise<DrStack> {
  const site = zfsSiteOf(sites.sshd);
  const stack = await startLocalStack({
    lab: drLab(),
    timeScale: 1 / 60,
    zfs: { sites: { 'nas-src': { ...site, port: opts.sourcePort ?? site.port }, 'nas-dst': site } },
  });
  const world = (stack.lab as { world: World }).world;
  allowNfsExport(world, sites.mountpoint(sites.targetPool));
  if (opts.exportSource) allowNfsExport(world, sites.mountpoint(sites.sourcePool));
  await writeSourceVmxFiles(world, sites.mountpoint(src));
  return { stack, world, deps: useCaseDepsOf(stack) };
}

/** Protection group `gold`: the datastore `nfs-gold` of `vc-src` on `src`, replicated to `vc-dr` on `dst`. */
export async function createGoldGroup(
  stack: LocalStack,
  datasets: { src: string; dst: string },
  extra: Pick<ProtectionGroupInput, 'retention' | 'createdBy'> & Partial<ProtectionGroupInput>,
): Promise<void> {
  await createProtectionGroupStore(stack.store).create({
    name: 'gold',
    source: { vcenterId: 'vc-src', datastore: 'nfs-gold', appliance: 'nas-src', dataset: datasets.src },
    target: { vcenterId: 'vc-dr', datastore: 'nfs-gold-dr', appliance: 'nas-dst', dataset: datasets.dst },
    members: { kind: 'datastore' },
    rpoMinutes: 15,
    createdAt: new Date().toISOString(),
    ...extra,
  });
}
