import { type CatalogMatcher, hostCompliance, packageUrl } from '../catalog/catalog-match';
import { componentKey } from '../catalog/firmware-mismatches';
import type { Catalog } from '../catalog/catalog.schema';
import { firmwareFromRedfish } from '../catalog/redfish-firmware';
import { FirmwareComponent } from '../inventory/inventory.schema';
import type { FirmwarePackage } from '../relay/commands';
import type { z } from 'zod';
import type { ExpectedVersion, PreflightHostState } from './ops/state.schema';

export type StaleJobsPolicy = 'clear' | 'fail';

export interface HostEvaluation {
  problems: string[];
  clearStaleJobs: boolean;
  firmware: FirmwareComponent[];
  systemId?: number;
  model?: string;
}

/**
 * One host's preflight verdict from what the devices said just now: reachable (iDRAC and, in a cluster,
 * vCenter `connected`), not already in maintenance mode, Lifecycle Controller ready, no stale iDRAC jobs
 * (cleared when the job's policy says so), and a firmware inventory to compare with the catalog.
 */
export function evaluatePreflightHost(
  s: z.infer<typeof PreflightHostState>,
  opts: { inCluster: boolean; staleJobs: StaleJobsPolicy },
): HostEvaluation {
  const problems: string[] = [];
  const out: HostEvaluation = { problems, clearStaleJobs: false, firmware: [] };
  if (s.error) {
    problems.push(
      `not reachable: ${s.error.Error ?? 'error'}${s.error.Cause ? ` (${s.error.Cause.slice(0, 300)})` : ''}`,
    );
  }
  const st = s.hostState;
  if (st) {
    if (!st.idracReachable) problems.push('iDRAC not reachable');
    if (opts.inCluster && st.connectionState !== 'connected')
      problems.push(`vCenter reports the host ${st.connectionState ?? 'in an unknown state'}`);
    if (st.inMaintenanceMode) problems.push('already in maintenance mode (someone else is working on it?)');
  } else if (!s.error) problems.push('no host state');
  const lc = s.lc;
  if (lc) {
    if (!lc.ready) problems.push(`Lifecycle Controller not ready (${lc.status})`);
    if (lc.staleJobs.length > 0) {
      if (opts.staleJobs === 'clear') out.clearStaleJobs = true;
      else
        problems.push(
          `${lc.staleJobs.length} stale iDRAC job(s): ${lc.staleJobs.map((j) => j.id).join(', ')}`,
        );
    }
  }
  if (s.fw) {
    out.systemId = s.fw.server.systemId;
    out.model = s.fw.server.model;
    for (const raw of s.fw.firmware) {
      const parsed = FirmwareComponent.safeParse(raw);
      const fw = parsed.success ? parsed.data : firmwareFromRedfish(raw);
      if (fw) out.firmware.push(fw);
    }
    if (out.firmware.length === 0) problems.push('no firmware inventory');
  }
  return out;
}

/**
 * Reboot-required firmware (BIOS, NICs, RAID, disks…) is staged OnReset and applied by the host's reboot, inside
 * its maintenance window. The rest (iDRAC, Lifecycle Controller, driver packs, iSM) the iDRAC applies at once,
 * without a host reboot: that runs while the host serves VMs, outside its window, so no host stays out of
 * service longer for it. A package of unknown kind counts as reboot-required (the safe side).
 */
export function splitByReboot(u: { packages: FirmwarePackage[]; expected: ExpectedVersion[] }): {
  packages: FirmwarePackage[];
  expected: ExpectedVersion[];
  immediate: FirmwarePackage[];
  immediateExpected: ExpectedVersion[];
} {
  const now = (x: { rebootRequired?: boolean }) => x.rebootRequired === false;
  return {
    packages: u.packages.filter((p) => !now(p)),
    expected: u.expected.filter((e) => !now(e)),
    immediate: u.packages.filter(now),
    immediateExpected: u.expected.filter(now),
  };
}

/** Packages one host needs from the catalog, and the versions to verify after the reboot. */
export function updatesForHost(
  matcher: CatalogMatcher,
  catalog: Catalog,
  catalogUrl: string | undefined,
  host: { hostId: string; systemId?: number; model?: string; firmware: readonly FirmwareComponent[] },
): {
  packages: FirmwarePackage[];
  expected: ExpectedVersion[];
  unknown?: string;
} {
  const c = hostCompliance(
    matcher,
    { serviceTag: host.hostId, model: host.model, systemId: host.systemId },
    host.firmware,
  );
  if (c.status === 'unknown')
    return { packages: [], expected: [], unknown: c.reason ?? 'compliance unknown' };
  const packages: FirmwarePackage[] = [];
  const expected: ExpectedVersion[] = [];
  const seenComponents = new Set<string>();
  const byUrl = new Map<string, FirmwarePackage>();
  for (const comp of c.components) {
    if (!comp.updateNeeded || !comp.package || !comp.available) continue;
    const componentId = componentKey({ softwareId: comp.softwareId, fqdd: comp.fqdd, id: comp.firmwareId });
    if (seenComponents.has(componentId)) continue;
    seenComponents.add(componentId);
    // Every component is verified, but a package that covers several (three identical disks, two NIC
    // ports) is uploaded once: the iDRAC refuses a second job for the same package.
    expected.push({
      componentId,
      version: comp.available,
      name: comp.name,
      rebootRequired: comp.package.rebootRequired,
    });
    const url = packageUrl(catalog, comp.package.path, catalogUrl);
    if (byUrl.has(url)) continue;
    byUrl.set(url, {
      componentId,
      name: comp.name,
      version: comp.available,
      url,
      ...(comp.package.sha256 ? { sha256: comp.package.sha256 } : {}),
      rebootRequired: comp.package.rebootRequired,
    });
  }
  packages.push(...byUrl.values());
  return { packages, expected };
}
