import { z } from 'zod';

/** A firmware component as iDRAC's FirmwareInventory reports it (`Installed-<SoftwareId>-<Version>__<FQDD>`). */
export const FirmwareComponent = z.object({
  /** Redfish member id, e.g. `Installed-25227-6.10.80.00__iDRAC.Embedded.1-1`. */
  id: z.string(),
  name: z.string(),
  version: z.string(),
  softwareId: z.string(),
  fqdd: z.string().optional(),
  /** PCI ids for components whose SoftwareId is 0 (disks, add-in NICs): hex strings as Redfish gives them. */
  pci: z
    .object({
      vendorId: z.string().optional(),
      deviceId: z.string().optional(),
      subVendorId: z.string().optional(),
      subDeviceId: z.string().optional(),
    })
    .optional(),
  updateable: z.boolean().default(true),
});
export type FirmwareComponent = z.infer<typeof FirmwareComponent>;

/** A Dell server, keyed by service tag. */
export const Server = z.object({
  serviceTag: z.string().min(1),
  model: z.string(),
  /** `Oem.Dell.DellSystem.SystemID`, decimal (2318 for an R750 = 0x090E). */
  systemId: z.number().int().optional(),
  idracId: z.string(),
  idracAddress: z.string().optional(),
  powerState: z.string().optional(),
  health: z.string().optional(),
  source: z.enum(['idrac', 'ome']),
});
export type Server = z.infer<typeof Server>;

export const Vcenter = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().optional(),
  version: z.string().optional(),
});
export type Vcenter = z.infer<typeof Vcenter>;

export const HaSettings = z.object({
  haEnabled: z.boolean(),
  admissionControlEnabled: z.boolean(),
  /** Host failures the cluster tolerates (admission control policy), 0 when none. */
  failoverLevel: z.number().int().nonnegative(),
  policy: z
    .enum(['failoverLevel', 'resourcePercentage', 'failoverHosts', 'disabled'])
    .default('failoverLevel'),
  cpuFailoverPercent: z.number().int().min(0).max(100).optional(),
  memoryFailoverPercent: z.number().int().min(0).max(100).optional(),
});
export type HaSettings = z.infer<typeof HaSettings>;

export const Cluster = z.object({
  id: z.string(),
  name: z.string(),
  vcenterId: z.string(),
  moref: z.string(),
  drsEnabled: z.boolean().default(true),
  drsAutomation: z.string().optional(),
  ha: HaSettings.optional(),
  production: z.boolean().default(false),
});
export type Cluster = z.infer<typeof Cluster>;

/** An ESXi host. `id` is the canonical host id: the Dell service tag, which links vCenter and iDRAC. */
export const Host = z.object({
  id: z.string(),
  name: z.string(),
  vcenterId: z.string(),
  clusterId: z.string().optional(),
  moref: z.string(),
  serviceTag: z.string().optional(),
  connectionState: z.enum(['connected', 'disconnected', 'notResponding']),
  powerState: z.enum(['poweredOn', 'poweredOff', 'standBy', 'unknown']).default('poweredOn'),
  inMaintenanceMode: z.boolean(),
  cpuMhz: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  esxiVersion: z.string().optional(),
});
export type Host = z.infer<typeof Host>;

export const VmDevices = z.object({
  usbPassthrough: z.boolean().default(false),
  pciPassthrough: z.boolean().default(false),
  vgpu: z.boolean().default(false),
  faultTolerance: z.boolean().default(false),
  /** Disks on datastores only this host can see. */
  localStorage: z.boolean().default(false),
  connectedIso: z.string().optional(),
  /** Names of VM-host "must run on" rules or VM-VM affinity rules that pin it. */
  affinityRules: z.array(z.string()).default([]),
});
export type VmDevices = z.infer<typeof VmDevices>;

export const Vm = z.object({
  id: z.string(),
  name: z.string(),
  vcenterId: z.string(),
  moref: z.string(),
  hostId: z.string(),
  clusterId: z.string().optional(),
  powerState: z.enum(['poweredOn', 'poweredOff', 'suspended']),
  cpuMhz: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  isVcenterAppliance: z.boolean().default(false),
  devices: VmDevices,
});
export type Vm = z.infer<typeof Vm>;

export const Datastore = z.object({
  id: z.string(),
  name: z.string(),
  vcenterId: z.string(),
  type: z.string(),
  capacityBytes: z.number().nonnegative(),
  freeBytes: z.number().nonnegative(),
  /** Hosts that mount it; a datastore on exactly one host is local storage. */
  hostIds: z.array(z.string()),
});
export type Datastore = z.infer<typeof Datastore>;

export const Network = z.object({
  id: z.string(),
  name: z.string(),
  vcenterId: z.string(),
  type: z.string(),
});
export type Network = z.infer<typeof Network>;

export const BlockerReason = z.enum([
  'usb_passthrough',
  'pci_passthrough',
  'vgpu',
  'fault_tolerance',
  'local_storage',
  'connected_iso',
  'affinity_rule',
  'vcenter_appliance',
  'unreadable_vm',
]);
export type BlockerReason = z.infer<typeof BlockerReason>;

export const Blocker = z.object({
  vmId: z.string(),
  vmName: z.string(),
  reason: BlockerReason,
  severity: z.enum(['critical', 'warning']),
  detail: z.string().optional(),
});
export type Blocker = z.infer<typeof Blocker>;

/** Record types used in the Store for inventory. */
export const INVENTORY_TYPES = {
  server: 'server',
  firmware: 'firmware',
  vcenter: 'vcenter',
  cluster: 'cluster',
  host: 'host',
  vm: 'vm',
  datastore: 'datastore',
  network: 'network',
} as const;
