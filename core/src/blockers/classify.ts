import type { Blocker, BlockerReason, Vm } from '../inventory/inventory.schema';

/**
 * Severity per reason, and why:
 * - critical means DRS cannot move the VM off the host, so maintenance mode would hang until timeout: the
 *   operator must power it off or skip the host.
 *   usb_passthrough / pci_passthrough / vgpu: the VM is bound to a physical device of this host.
 *   fault_tolerance: FT pairs pin primary and secondary to different hosts; evacuation stalls unless FT is
 *   turned off or the VM is powered off.
 *   local_storage: its disks live on a datastore only this host sees; vMotion cannot reach them.
 *   vcenter_appliance: the appliance drives the rollout itself; it must never be powered off, only migrated,
 *   and its host goes last (see planner). It is critical so it is always shown, but it needs no decision
 *   (see NEEDS_DECISION).
 * - warning means evacuation usually works but may not: connected_iso (fails only when the ISO is on a
 *   datastore the other hosts cannot see) and affinity_rule (only "must" rules block; "should" rules are
 *   broken for a while). The operator is told; we proceed unless they act.
 * - unreadable_vm: the host lists a VM whose properties vCenter would not give (NoPermission, a broken
 *   object). Nobody can say whether it can move, so it is treated as one that cannot until a person decides.
 */
export const SEVERITY: Readonly<Record<BlockerReason, Blocker['severity']>> = {
  usb_passthrough: 'critical',
  pci_passthrough: 'critical',
  vgpu: 'critical',
  fault_tolerance: 'critical',
  local_storage: 'critical',
  vcenter_appliance: 'critical',
  connected_iso: 'warning',
  affinity_rule: 'warning',
  unreadable_vm: 'critical',
};

/** Critical reasons a human must decide about. The vCenter appliance is handled by ordering + migration. */
export const NEEDS_DECISION = (b: Pick<Blocker, 'reason' | 'severity'>): boolean =>
  b.severity === 'critical' && b.reason !== 'vcenter_appliance';

/** Reasons under which the VM can still be vMotioned, so `migrate` is a valid answer. */
export const MIGRATABLE: ReadonlySet<BlockerReason> = new Set([
  'vcenter_appliance',
  'connected_iso',
  'affinity_rule',
]);

type VmFacts = Pick<Vm, 'id' | 'name' | 'powerState' | 'isVcenterAppliance' | 'devices'>;

/** Blockers for one VM from its inventory facts. Powered-off VMs stay registered and never block. */
export function classifyVm(vm: VmFacts): Blocker[] {
  if (vm.powerState !== 'poweredOn') return [];
  const d = vm.devices;
  const found: { reason: BlockerReason; detail?: string }[] = [];
  if (d.usbPassthrough) found.push({ reason: 'usb_passthrough' });
  if (d.pciPassthrough) found.push({ reason: 'pci_passthrough' });
  if (d.vgpu) found.push({ reason: 'vgpu' });
  if (d.faultTolerance) found.push({ reason: 'fault_tolerance' });
  if (d.localStorage) found.push({ reason: 'local_storage' });
  if (vm.isVcenterAppliance) found.push({ reason: 'vcenter_appliance' });
  if (d.connectedIso) found.push({ reason: 'connected_iso', detail: d.connectedIso });
  if (d.affinityRules.length > 0) found.push({ reason: 'affinity_rule', detail: d.affinityRules.join(', ') });
  return found.map((f) => ({
    vmId: vm.id,
    vmName: vm.name,
    reason: f.reason,
    severity: SEVERITY[f.reason],
    detail: f.detail,
  }));
}

/**
 * Merge what the scan reported with what inventory says, one entry per VM and reason. Severity is the higher
 * of ours (SEVERITY) and the scanner's: the scanner sees what inventory cannot (an ISO on a datastore other
 * hosts cannot reach, a "must" affinity rule) and may only raise a warning to critical, never lower ours.
 */
export function mergeBlockers(...sources: readonly (readonly Blocker[])[]): Blocker[] {
  const out = new Map<string, Blocker>();
  for (const list of sources) {
    for (const b of list) {
      const key = `${b.vmId}\u0000${b.reason}`;
      const prev = out.get(key);
      const severity =
        SEVERITY[b.reason] === 'critical' || b.severity === 'critical' || prev?.severity === 'critical'
          ? 'critical'
          : 'warning';
      out.set(key, { ...(prev ?? b), severity });
    }
  }
  return [...out.values()].sort((a, b) =>
    a.severity !== b.severity ? (a.severity === 'critical' ? -1 : 1) : a.vmName.localeCompare(b.vmName),
  );
}
