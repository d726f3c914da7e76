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
