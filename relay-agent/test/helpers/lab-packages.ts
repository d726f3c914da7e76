import type { FirmwarePackage } from '@rackops/core/relay/commands';
import { buildLabRepository } from '@rackops/lab/catalog/lab-repository';
import type { Lab } from '@rackops/lab/index';

/** The lab catalog's packages as the workflow would send them (componentId = catalog componentID). */
export function labPackages(lab: Lab): FirmwarePackage[] {
  const repo = buildLabRepository(lab.world);
  const base = lab.endpoints.catalogUrl ?? '';
  return repo.entries.map((e) => ({
    componentId: e.devices[0]?.componentId ?? '0',
    name: e.name,
    version: e.vendorVersion,
    url: base.replace(/Catalog\.xml$/, e.path),
    sha256: e.sha256,
    rebootRequired: e.rebootRequired ?? true,
  }));
}

export function labPackage(lab: Lab, componentId: string): FirmwarePackage {
  const p = labPackages(lab).find((x) => x.componentId === componentId);
  if (!p) throw new Error(`no lab package for component ${componentId}`);
  return p;
}

/** Update jobs the simulated iDRAC created: one per upload. */
export const updateJobs = (lab: Lab, hostId: string) =>
  [...lab.world.host(hostId).jobs.values()].filter((j) => j.update);
