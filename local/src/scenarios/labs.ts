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
