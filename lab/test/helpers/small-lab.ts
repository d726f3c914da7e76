import type { LabConfigInput } from '../../src/config/lab-config.schema';

/** A lab of `n` hosts in one cluster (first host on captured firmware), no VMs: fast to start. */
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
