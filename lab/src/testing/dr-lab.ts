import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabConfigInput } from '../config/lab-config.schema';
import { formatVmx } from '../vcenter/vmx-file';
import type { World } from '../world/world';

/**
 * Two sites for disaster-recovery tests: `vc-src` (cluster `src-a`, VMs `web-01`, `db-01`) and
 * `vc-dr` (cluster `dr-a`, no VMs, port groups `dr-test` isolated for test failovers and `VM Network`).
 */
export function drLab(): LabConfigInput {
  const hosts = (p: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      serviceTag: `${p}${String(i + 1).padStart(3, '0')}`,
      name: `esx-${p.toLowerCase()}${i + 1}.lab.local`,
      cpuMhz: 100_000,
      memoryMiB: 262_144,
    }));
  return {
    name: 'dr',
    vcenters: [
      {
        id: 'vc-src',
        clusters: [{ name: 'src-a', hosts: hosts('SRC', 2) }],
        vms: [
          { name: 'web-01', host: 'SRC001', cpuMhz: 2_000, memoryMiB: 4_096 },
          { name: 'db-01', host: 'SRC002', cpuMhz: 4_000, memoryMiB: 8_192 },
        ],
      },
      { id: 'vc-dr', clusters: [{ name: 'dr-a', hosts: hosts('DRS', 2) }], portGroups: ['dr-test'] },
    ],
  };
}

/**
 * The `.vmx` of each source VM (`vc-src`) written where replication carries it, `<dir>/<name>/<name>.vmx`: the
 * lab's vCenter keeps its VMs in memory, and a failover registers them at DR from these files.
 */
export async function writeSourceVmxFiles(world: World, dir: string): Promise<void> {
  for (const vm of [...world.vms.values()].filter((v) => v.vcenterId === 'vc-src')) {
    await mkdir(join(dir, vm.name), { recursive: true });
    await writeFile(
      join(dir, vm.name, `${vm.name}.vmx`),
      formatVmx({
        name: vm.name,
        memoryMiB: vm.memoryMiB,
        numCpu: 2,
        biosUuid: vm.uuid,
        instanceUuid: `50${vm.uuid.slice(2)}`,
        networkName: 'VM Network',
      }),
    );
  }
}
