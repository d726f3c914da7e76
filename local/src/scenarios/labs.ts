import { DEFAULT_LAB } from '@rackops/lab/index';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';

/** The default lab with every host of `cluster` already on the catalog's firmware. */
export function labAllCurrent(cluster = 'lab-b'): LabConfigInput {
  const cfg = structuredClone(DEFAULT_LAB);
  for (const vc of cfg.vcenters)
    for (const cl of vc.clusters ?? [])
      if (cl.name === cluster) for (const h of cl.hosts) h.firmware = { profile: 'current', versions: {} };
  return cfg;
}

/**
 * The default lab plus one standalone host of vc-lab (`LABS001`, esx-s01: outdated, in vCenter but in no cluster,
 * so no DRS and no HA; one powered-off VM registered on it). Kept out of the default lab, whose host and
 * cluster counts many tests read.
 */
export function labWithStandalone(): LabConfigInput {
  const cfg = structuredClone(DEFAULT_LAB);
  const vc = cfg.vcenters[0];
  if (!vc) throw new Error('the default lab has no vCenter');
  vc.clusters = [
    ...(vc.clusters ?? []),
    {
      name: 'standalone-s01',
      standalone: true,
      hosts: [
        {
          idrac: 'idrac9-6.x',
          serviceTag: 'LABS001',
          name: 'esx-s01.lab.local',
          cpuMhz: 128_000,
          memoryMiB: 524_288,
          firmware: { profile: 'outdated', versions: {} },
        },
      ],
    },
  ];
  vc.vms = [
    ...(vc.vms ?? []),
    { name: 'spare-s01', host: 'LABS001', powerState: 'poweredOff', cpuMhz: 2_000, memoryMiB: 8_192 },
  ];
  return cfg;
}

/** The vCenter side of a mixed fleet: sessions expire after 60 s (time-scaled), namespace-prefix variants. */
export function withVcenterQuirks(cfg: LabConfigInput): LabConfigInput {
  return withVcenterSessionTimeout(cfg, 60);
}

/** iDRAC generations of `cluster`'s hosts in a lab config (a host without one is `idrac9-6.x`). */
export function generationsOf(cfg: LabConfigInput, cluster: string): string[] {
  return [
    ...new Set(
      cfg.vcenters.flatMap((vc) =>
        (vc.clusters ?? [])
          .filter((c) => c.name === cluster)
          .flatMap((c) => c.hosts.map((h) => h.idrac ?? 'idrac9-6.x')),
      ),
    ),
  ].sort();
}

/**
 * A fleet of iDRAC generations: the default lab (whose clusters already mix `idrac9-3.x`, `idrac9-6.x` and
 * `idrac9-7.x`, see lab/src/config/default-lab.ts) on a vCenter with the quirks of real servers.
 */
export function labMixedFleet(): LabConfigInput {
  return withVcenterQuirks(structuredClone(DEFAULT_LAB));
}

/**
 * `cfg` with every vCenter behaving like an independent vim25 server whose sessions expire: idle sessions end
 * after `seconds` (scaled by the lab's time scale), the XML Schema instance namespace is bound to the prefix
 * `XMLSchema-instance`, unset data objects come as empty elements, and an expired session is reported inside
 * RetrievePropertiesEx's `missingSet` rather than as a fault (issue 19). Other quirks set on a vCenter are kept.
 */
export function withVcenterSessionTimeout(cfg: LabConfigInput, seconds: number): LabConfigInput {
  const out = structuredClone(cfg);
  for (const vc of out.vcenters) {
    vc.quirks = {
      ...vc.quirks,
      sessionTimeoutSeconds: seconds,
      xsiPrefix: 'XMLSchema-instance',
      expiredSessionAs: 'missingSet',
      emptyElements: true,
    };
  }
  return out;
}

/**
 * One vCenter (`vc-lab`) with one cluster, `lab-w`: three outdated R750s, no maintenance-mode blockers, nine
 * small VMs (demand fits on one host) and HA failover level 1, so the planner takes one host out at a time
 * (k = 1). The window scenario's lab.
 */
export function labWindow(): LabConfigInput {
  const tags = ['LABW001', 'LABW002', 'LABW003'];
  const generations = ['idrac9-6.x', 'idrac9-3.x', 'idrac9-7.x'] as const;
  return {
    name: 'window',
    vcenters: [
      {
        id: 'vc-lab',
        name: 'vc-lab.lab.local',
        clusters: [
          {
            name: 'lab-w',
            ha: { haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 },
            hosts: tags.map((serviceTag, i) => ({
              idrac: generations[i] ?? 'idrac9-6.x',
              serviceTag,
              name: `esx-w${String(i + 1).padStart(2, '0')}.lab.local`,
              cpuMhz: 128_000,
              memoryMiB: 524_288,
              firmware: { profile: 'outdated' as const, versions: {} },
            })),
          },
        ],
        vms: Array.from({ length: 9 }, (_, i) => ({
          name: `app-w-${String(i + 1).padStart(3, '0')}`,
          host: tags[i % tags.length] as string,
          powerState: 'poweredOn' as const,
          cpuMhz: 2_000,
          memoryMiB: 8_192,
        })),
      },
    ],
    omes: [{ id: 'ome-lab' }],
  };
}
