import type { Blocker } from '@rackops/core/inventory/inventory.schema';
import type { HostBlockers } from '@rackops/core/usecases/stored-blockers';
import { MIGRATABLE, NEEDS_DECISION } from '@rackops/core/blockers/classify';
import type { VmAction } from '@rackops/core/blockers/resolution.schema';

/** One VM that blocks a host, with every reason it blocks (a VM can have a USB device and an ISO at once). */
export interface BlockedVm {
  vmId: string;
  vmName: string;
  blockers: Blocker[];
  severity: 'critical' | 'warning';
  /** Actions that could resolve every one of its blockers. */
  allowed: VmAction[];
  suggested: VmAction;
}

export interface WizardHost {
  hostId: string;
  hostName?: string;
  vms: BlockedVm[];
}

export function groupByVm(host: HostBlockers): WizardHost {
  const byVm = new Map<string, Blocker[]>();
  for (const b of host.blockers) byVm.set(b.vmId, [...(byVm.get(b.vmId) ?? []), b]);
  const vms = [...byVm.entries()].map(([vmId, blockers]): BlockedVm => {
    const critical = blockers.some((b) => b.severity === 'critical');
    const needsDecision = blockers.some(NEEDS_DECISION);
    const migratable = blockers.every((b) => MIGRATABLE.has(b.reason));
    // The same rules as applyResolution, so the card never offers a choice the resume would refuse.
    const appliance = blockers.some((b) => b.reason === 'vcenter_appliance');
    const allowed: VmAction[] = [
      ...(appliance ? [] : (['power_off'] as const)),
      ...(migratable ? (['migrate'] as const) : []),
      ...(needsDecision ? [] : (['acknowledge'] as const)),
    ];
    return {
      vmId,
      vmName: blockers[0]?.vmName ?? vmId,
      blockers,
      severity: critical ? 'critical' : 'warning',
      allowed,
      // Preselect the choice that lets maintenance mode succeed: power the VM off for the update (it comes back on
      // after); a pinned (affinity) or ISO-attached VM that is only acknowledged makes DRS evacuation time out.
      // The vCenter appliance is never powered off: it migrates and its host goes last.
      suggested: appliance
        ? 'migrate'
        : allowed.includes('power_off')
          ? 'power_off'
          : (allowed[0] ?? 'migrate'),
    };
  });
  return { hostId: host.hostId, ...(host.hostName ? { hostName: host.hostName } : {}), vms };
}

/** A slice of one host's blocked VMs shown on one page; `first` carries the host-level inputs (skip, order). */
export interface PageChunk {
  hostId: string;
  first: boolean;
  vmIds: string[];
}

/**
 * Pack hosts and their VMs into pages so each rendered card stays under the byte budget: a host's VMs are
 * split across pages when one host alone is too big. `measureVm` / `measureHost` give rendered sizes in bytes.
 */
export function layoutPages(
  hosts: WizardHost[],
  budget: number,
  measureHost: (h: WizardHost) => number,
  measureVm: (h: WizardHost, vm: BlockedVm) => number,
): PageChunk[][] {
  const pages: PageChunk[][] = [];
  let page: PageChunk[] = [];
  let used = 0;
  const flush = () => {
    if (page.length) pages.push(page);
    page = [];
    used = 0;
  };
  for (const h of hosts) {
    const headerBytes = measureHost(h);
    let chunk: PageChunk = { hostId: h.hostId, first: true, vmIds: [] };
    if (used + headerBytes > budget) flush();
    used += headerBytes;
    for (const vm of h.vms) {
      const vmBytes = measureVm(h, vm);
      if (used + vmBytes > budget && (chunk.vmIds.length || page.length)) {
        if (chunk.vmIds.length) page.push(chunk);
        flush();
        chunk = { hostId: h.hostId, first: chunk.first && !chunk.vmIds.length, vmIds: [] };
        used = headerBytes;
      }
      chunk.vmIds.push(vm.vmId);
      used += vmBytes;
    }
    page.push(chunk);
  }
  flush();
  return pages;
}
