import type { LabConfigInput } from '../config/lab-config.schema';

/** A lab of `n` hosts (TEST001…) in one cluster, no VMs: starts in milliseconds. For tests of the lab and its clients. */
export function smallLab(n = 2, extra: Partial<LabConfigInput> = {}): LabConfigInput {
  return {
    name: 'test',
    vcenters: [
      {
        id: 'vc-test',
        clusters: [
          {
            name: 'test-a',
            hosts: Array.from({ length: n }, (_, i) => ({
              serviceTag: `TEST${String(i + 1).padStart(3, '0')}`,
              name: `esx-t${i + 1}.lab.local`,
              cpuMhz: 100_000,
              memoryMiB: 262_144,
            })),
          },
        ],
      },
    ],
    ...extra,
  };
}
