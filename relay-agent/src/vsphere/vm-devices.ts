import type { Blocker, VmDevices } from '@rackops/core/inventory/inventory.schema';
import type { z } from 'zod';
import type { VmFacts } from './vsphere-inventory';

type Device = { _type?: string | undefined } & Record<string, unknown>;
const typeOf = (v: unknown): string => ((v as Device | undefined)?._type ?? '') as string;

/** The per-VM facts that can stop a host from entering maintenance mode. */
export function vmDevices(
  vm: z.infer<typeof VmFacts>,
  ctx: { datastoreHostCount: ReadonlyMap<string, number>; affinityRules: readonly string[] },
): VmDevices {
  const devices = (vm['config.hardware.device'] ?? []) as Device[];
  let usb = false;
  let pci = false;
  let vgpu = false;
  let iso: string | undefined;
  for (const d of devices) {
    const t = d._type ?? '';
    const backing = d.backing as Record<string, unknown> | undefined;
    if (t === 'VirtualUSB' && typeOf(backing) !== 'VirtualUSBRemoteClientBackingInfo') usb = true;
    if (t === 'VirtualPCIPassthrough') {
      if (typeOf(backing).includes('Vmiop')) vgpu = true;
      else pci = true;
    }
    if (t === 'VirtualCdrom' && typeOf(backing) === 'VirtualCdromIsoBackingInfo') {
      const conn = d.connectable as Record<string, unknown> | undefined;
      if (conn?.connected === 'true' || conn?.connected === true) iso = String(backing?.fileName ?? 'iso');
    }
  }
  const ft = vm['runtime.faultToleranceState'];
  return {
    usbPassthrough: usb,
    pciPassthrough: pci,
    vgpu,
    faultTolerance: ft !== undefined && ft !== 'notConfigured',
    localStorage: (vm.datastore ?? []).some((ds) => ctx.datastoreHostCount.get(ds.value) === 1),
    ...(iso ? { connectedIso: iso } : {}),
    affinityRules: [...ctx.affinityRules],
  };
}

/** Severity policy: what vMotion cannot move at all is critical; what it can work around is a warning. */
export function blockersOf(
  vmId: string,
  vmName: string,
  d: VmDevices,
  isVcenterAppliance: boolean,
  pins: { mandatoryRules?: readonly string[]; isoOnLocalDatastore?: boolean } = {},
): Blocker[] {
  const out: Blocker[] = [];
  const add = (reason: Blocker['reason'], severity: Blocker['severity'], detail?: string) =>
    out.push({ vmId, vmName, reason, severity, ...(detail ? { detail } : {}) });
  if (d.usbPassthrough) add('usb_passthrough', 'critical', 'host USB device passed through');
  if (d.pciPassthrough) add('pci_passthrough', 'critical', 'PCI device passed through');
  if (d.vgpu) add('vgpu', 'critical', 'vGPU profile attached');
  if (d.faultTolerance) add('fault_tolerance', 'warning', 'Fault Tolerance configured');
  if (d.localStorage) add('local_storage', 'critical', 'disk on a datastore only this host sees');
  // An ISO on a datastore only this host sees cannot follow the VM: vMotion refuses, evacuation stalls.
  if (d.connectedIso) add('connected_iso', pins.isoOnLocalDatastore ? 'critical' : 'warning', d.connectedIso);
  // A mandatory ("must run on") VM-host rule pins the VM to its host group: DRS will not break it to evacuate.
  // VM-VM affinity only keeps VMs together, which DRS can honour while moving them.
  for (const r of d.affinityRules) {
    const mandatory = pins.mandatoryRules?.includes(r) ?? false;
    add(
      'affinity_rule',
      mandatory ? 'critical' : 'warning',
      mandatory ? `${r} (must run on its host group)` : r,
    );
  }
  if (isVcenterAppliance) add('vcenter_appliance', 'warning', 'the vCenter appliance: its host goes last');
  return out;
}

/** Rule names that pin each VM (mandatory VM-host rules, VM-VM affinity), by VM moref. */
export function affinityByVm(configurationEx: unknown): Map<string, string[]> {
  const cfg = (configurationEx ?? {}) as { rule?: unknown; group?: unknown };
  const list = (v: unknown): Record<string, unknown>[] =>
    v === undefined || v === '' ? [] : ((Array.isArray(v) ? v : [v]) as Record<string, unknown>[]);
  const morefs = (v: unknown): string[] => list(v).map((m) => String((m as { value?: unknown }).value ?? ''));
  const vmGroups = new Map<string, string[]>();
  for (const g of list(cfg.group))
    if (typeOf(g) === 'ClusterVmGroup') vmGroups.set(String(g.name), morefs(g.vm));
  const out = new Map<string, string[]>();
  const pin = (vm: string, rule: string) => out.set(vm, [...(out.get(vm) ?? []), rule]);
  for (const r of list(cfg.rule)) {
    if (r.enabled === 'false') continue;
    const name = String(r.name ?? 'rule');
    if (typeOf(r) === 'ClusterVmHostRuleInfo' && (r.mandatory === 'true' || r.mandatory === true)) {
      for (const vm of vmGroups.get(String(r.vmGroupName)) ?? []) pin(vm, name);
    }
    if (typeOf(r) === 'ClusterAffinityRuleSpec') for (const vm of morefs(r.vm)) pin(vm, name);
  }
  return out;
}

/** Names of the enabled mandatory VM-host rules ("must run on") that bind each VM, by VM moref. */
export function mandatoryRulesByVm(configurationEx: unknown): Map<string, string[]> {
  const cfg = (configurationEx ?? {}) as { rule?: unknown; group?: unknown };
  const list = (v: unknown): Record<string, unknown>[] =>
    v === undefined || v === '' ? [] : ((Array.isArray(v) ? v : [v]) as Record<string, unknown>[]);
  const vmGroups = new Map<string, string[]>();
  for (const g of list(cfg.group)) {
    if (typeOf(g) === 'ClusterVmGroup') {
      vmGroups.set(
        String(g.name),
        list(g.vm).map((m) => String((m as { value?: unknown }).value ?? '')),
      );
    }
  }
  const out = new Map<string, string[]>();
  for (const r of list(cfg.rule)) {
    if (r.enabled === 'false' || typeOf(r) !== 'ClusterVmHostRuleInfo') continue;
    if (!(r.mandatory === 'true' || r.mandatory === true)) continue;
    for (const vm of vmGroups.get(String(r.vmGroupName)) ?? []) {
      out.set(vm, [...(out.get(vm) ?? []), String(r.name ?? 'rule')]);
    }
  }
  return out;
}

/** The datastore named in a `[datastore] path` file name, as vSphere writes ISO backings. */
export const datastoreOfPath = (path: string): string | undefined => /^\[([^\]]+)\]/.exec(path)?.[1];

export const isVcsa = (name: string, product: string | undefined): boolean =>
  /vcenter server/i.test(product ?? '') || /^(vcsa|vcenter)\b/i.test(name);
