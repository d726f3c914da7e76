import { z } from 'zod';
import { Blocker, HaSettings } from '../inventory/inventory.schema';
import { CredentialsRef, outboundUrl } from '../net/outbound-url';
import { HardwareHealth, HardwareHealthParams } from './hardware-health.schema';
import { DrCommandOutputs, DrCommandParams } from './dr-commands';
import { ScpCommandOutputs, ScpCommandParams } from './scp-commands';
import { ZfsCommandOutputs, ZfsCommandParams, ZfsDrCommandOutputs, ZfsDrCommandParams } from './zfs-commands';
import { VmSnapshotCommandOutputs, VmSnapshotCommandParams } from './vm-snapshot-commands';

/**
 * Every command the relay agent executes. Targets are named by inventory id; no command carries a credential.
 * Each handler is convergent: it reads device state first and does only what is still missing.
 */
export const CommandKind = z.enum([
  'inventory.idrac',
  'inventory.vcenter',
  'inventory.ome',
  'inventory.health',
  'host.state',
  'idrac.lc-status',
  'host.preflight',
  'idrac.clear-stale-jobs',
  'firmware.stage',
  'host.apply-and-reboot',
  'firmware.verify',
  'host.enter-maintenance',
  'host.exit-maintenance',
  'cluster.ha-relax',
  'cluster.ha-restore',
  'cluster.scan-blockers',
  'vm.power',
  'host.power',
  'media.insert',
  'media.eject',
  'scp.export',
  'scp.backups',
  'scp.diff',
  'scp.import',
  'zfs.features',
  'zfs.snapshot',
  'zfs.replicate',
  'zfs.prune',
  'zfs.preflight',
  'vm.register',
  'vm.unregister',
  'vm.reconfigure-network',
  'vm.guest-shutdown',
  'vm.tools-status',
  'datastore.mount-nfs',
  'datastore.unmount-nfs',
  'zfs.clone',
  'zfs.destroy-clone',
  'zfs.promote',
  'zfs.demote',
  'zfs.source-readonly',
  'vm.quiesce-snapshot',
  'vm.remove-snapshots',
]);
export type CommandKind = z.infer<typeof CommandKind>;

const HostRef = z.object({
  /** Canonical host id (service tag). */
  hostId: z.string(),
  /** vCenter managed object id of the HostSystem, when the command touches vCenter. */
  hostMoref: z.string().optional(),
  vcenterId: z.string().optional(),
});

export const FirmwarePackage = z.object({
  componentId: z.string(),
  name: z.string(),
  version: z.string(),
  /** Where the agent fetches the package (catalog base URL + path) — on-prem repository, https, no credentials. */
  url: outboundUrl('firmware'),
  sha256: z.string().optional(),
  rebootRequired: z.boolean().default(true),
});
export type FirmwarePackage = z.infer<typeof FirmwarePackage>;

/** A component at the version an update should leave it (by SoftwareId, or FQDD for PCI devices). */
export const ExpectedComponent = z.object({
  componentId: z.string(),
  version: z.string(),
  name: z.string().optional(),
});

/** Firmware read back against the expected versions (matched by SoftwareId, or FQDD for PCI devices). */
const VerifyOutput = z.object({
  ok: z.boolean(),
  mismatches: z.array(
    z.object({ componentId: z.string(), expected: z.string(), installed: z.string().optional() }),
  ),
});

/** Params per kind. */
export const CommandParams = {
  /** `ingest: false` reads without streaming the page into the inventory (a preflight only needs the answer). */
  'inventory.idrac': z.object({ ingest: z.boolean().default(true) }),
  'inventory.vcenter': z.object({ pageSize: z.number().int().positive().max(1000).default(500) }),
  'inventory.ome': z.object({ pageSize: z.number().int().positive().max(1000).default(200) }),
  'inventory.health': HardwareHealthParams,
  'host.state': HostRef,
  'idrac.lc-status': z.object({}),
  /** host.state + idrac.lc-status + inventory.idrac (not ingested) in one command: a preflight's reads at once. */
  'host.preflight': HostRef,
  'idrac.clear-stale-jobs': z.object({ force: z.boolean().default(false) }),
  'firmware.stage': z.object({
    packages: z.array(FirmwarePackage).min(1),
    applyTime: z.enum(['OnReset', 'Immediate']).default('OnReset'),
    transfer: z.enum(['simple', 'multipart']).default('simple'),
  }),
  'host.apply-and-reboot': HostRef.extend({
    timeoutSeconds: z.number().int().positive().default(3600),
    /** Read the firmware back once the host is up and compare (answered in `verify`; the read is ingested). */
    expected: z.array(ExpectedComponent).optional(),
  }),
  'firmware.verify': z.object({ expected: z.array(ExpectedComponent) }),
  'host.enter-maintenance': HostRef.extend({
    timeoutSeconds: z.number().int().positive().default(1800),
    evacuatePoweredOffVms: z.boolean().default(false),
  }),
  'host.exit-maintenance': HostRef.extend({ timeoutSeconds: z.number().int().positive().default(600) }),
  'cluster.ha-relax': z.object({ clusterMoref: z.string(), vcenterId: z.string() }),
  'cluster.ha-restore': z.object({ clusterMoref: z.string(), vcenterId: z.string(), settings: HaSettings }),
  'cluster.scan-blockers': z.object({
    clusterMoref: z.string(),
    vcenterId: z.string(),
    hostMorefs: z.array(z.string()).optional(),
  }),
  'vm.power': z.object({
    vcenterId: z.string(),
    vmMoref: z.string(),
    state: z.enum(['on', 'off']),
    /** Try a guest shutdown first; hard power-off only after the timeout. */
    graceful: z.boolean().default(true),
    timeoutSeconds: z.number().int().positive().default(300),
  }),
  'host.power': z.object({
    action: z.enum([
      'On',
      'ForceOff',
      'GracefulShutdown',
      'GracefulRestart',
      'ForceRestart',
      'PowerCycle',
      'Nmi',
      'PushPowerButton',
    ]),
  }),
  'media.insert': z.object({
    /** https, or nfs/cifs to a host on the agent's media.allowHosts; never credentials in the URL. */
    image: outboundUrl('virtual-media'),
    /** Credentials for the share, by name: the agent resolves it from its own config (media.credentials). */
    credentialsRef: CredentialsRef.optional(),
    device: z.enum(['CD', 'RemovableDisk']).default('CD'),
  }),
  'media.eject': z.object({ device: z.enum(['CD', 'RemovableDisk']).default('CD') }),
  'scp.export': z.object({
    target: z.enum(['ALL', 'IDRAC', 'BIOS', 'NIC', 'RAID']).default('ALL'),
    format: z.enum(['JSON', 'XML']).default('JSON'),
    /** Kept with the backup record (who asked, and why: "scp export", "before update of lab-a"). */
    by: z.string().max(200).optional(),
    reason: z.string().max(500).optional(),
  }),
  ...ScpCommandParams,
  ...ZfsCommandParams,
  ...DrCommandParams,
  ...ZfsDrCommandParams,
  ...VmSnapshotCommandParams,
} satisfies Record<CommandKind, z.ZodType>;

export type CommandParamsOf<K extends CommandKind> = z.infer<(typeof CommandParams)[K]>;

export const HostState = z.object({
  hostId: z.string(),
  idracReachable: z.boolean(),
  powerState: z.string().optional(),
  connectionState: z.enum(['connected', 'disconnected', 'notResponding']).optional(),
  inMaintenanceMode: z.boolean().optional(),
});

export const IdracJob = z.object({
  id: z.string(),
  name: z.string().optional(),
  state: z.string(),
  percent: z.number().optional(),
  message: z.string().optional(),
});

const IdracInventoryOutput = z.object({
  server: z.record(z.string(), z.unknown()),
  firmware: z.array(z.record(z.string(), z.unknown())),
  warnings: z.array(z.string()).default([]),
});
const LcStatusOutput = z.object({ ready: z.boolean(), status: z.string(), staleJobs: z.array(IdracJob) });

/** Outputs per kind (what a successful result carries). */
export const CommandOutputs = {
  'inventory.idrac': IdracInventoryOutput,
  /** Large inventories stream as progress pages; the final result carries counts. */
  'inventory.vcenter': z.object({
    pages: z.number().int(),
    counts: z.record(z.string(), z.number()),
    warnings: z.array(z.string()).default([]),
  }),
  'inventory.ome': z.object({
    pages: z.number().int(),
    counts: z.record(z.string(), z.number()),
    warnings: z.array(z.string()).default([]),
  }),
  'inventory.health': HardwareHealth,
  'host.state': HostState,
  'idrac.lc-status': LcStatusOutput,
  'host.preflight': z.object({ hostState: HostState, lc: LcStatusOutput, fw: IdracInventoryOutput }),
  'idrac.clear-stale-jobs': z.object({ cleared: z.number().int() }),
  'firmware.stage': z.object({
    jobs: z.array(z.object({ componentId: z.string(), jobId: z.string(), state: z.string() })),
    /** Components that already had the target version or an existing staged job (convergence). */
    alreadyDone: z.array(z.string()).default([]),
  }),
  'host.apply-and-reboot': z.object({
    jobs: z.array(IdracJob),
    rebootedAt: z.string().optional(),
    connectionState: z.string(),
    durationSeconds: z.number(),
    verify: VerifyOutput.optional(),
  }),
  'firmware.verify': VerifyOutput,
  'host.enter-maintenance': z.object({
    inMaintenanceMode: z.literal(true),
    evacuatedVms: z.number().int(),
    /** VMs still registered on the host once it is in maintenance mode (read back; powered-off ones may stay). */
    vmsLeft: z.array(z.string().max(200)).max(1024).optional(),
    alreadyInMaintenance: z.boolean(),
  }),
  'host.exit-maintenance': z.object({ inMaintenanceMode: z.literal(false), alreadyOut: z.boolean() }),
  'cluster.ha-relax': z.object({ original: HaSettings, relaxed: HaSettings, alreadyRelaxed: z.boolean() }),
  'cluster.ha-restore': z.object({ restored: HaSettings, alreadyRestored: z.boolean() }),
  'cluster.scan-blockers': z.object({
    hosts: z.array(z.object({ hostMoref: z.string(), hostId: z.string(), blockers: z.array(Blocker) })),
  }),
  'vm.power': z.object({ powerState: z.string(), changed: z.boolean() }),
  'host.power': z.object({ powerState: z.string(), changed: z.boolean() }),
  'media.insert': z.object({ inserted: z.boolean(), image: z.string(), changed: z.boolean() }),
  'media.eject': z.object({ inserted: z.boolean(), changed: z.boolean() }),
  /** `file`: where the agent wrote the profile, on its own machine (agents before it was added leave it out). */
  'scp.export': z.object({
    jobId: z.string(),
    bytes: z.number().int(),
    sha256: z.string(),
    file: z.string().optional(),
    /** The backup it was stored as (agents before backups were listed leave it out). */
    backupId: z.string().optional(),
  }),
  ...ScpCommandOutputs,
  ...ZfsCommandOutputs,
  ...DrCommandOutputs,
  ...ZfsDrCommandOutputs,
  ...VmSnapshotCommandOutputs,
} satisfies Record<CommandKind, z.ZodType>;

export type CommandOutputOf<K extends CommandKind> = z.infer<(typeof CommandOutputs)[K]>;
