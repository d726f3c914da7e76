import type { VcenterQuirks } from '../config/vcenter-quirks.schema';
import type { LabHaSettings, LabVmDevices } from '../config/lab-config.schema';
import type { IdracPersonality } from '../idrac/personality';

export type PowerState = 'On' | 'Off';

/**
 * Where the host OS is. `running` is the only phase in which ESXi answers vCenter.
 * `hung`: POST never completes (the `rebootHangs` fault).
 */
export type OsPhase = 'running' | 'shuttingDown' | 'off' | 'post' | 'applyingUpdates' | 'booting' | 'hung';

export type ConnectionState = 'connected' | 'notResponding' | 'disconnected';

export interface InstalledFirmware {
  version: string;
  /** Version on the rollback partition (Previous-*), when there is one. */
  previousVersion?: string;
  installedAt: string;
}

/** Dell LC job states, as `Managers/iDRAC.Embedded.1/Jobs/<JID>` reports them. */
export type DellJobState =
  | 'New'
  | 'Scheduled'
  | 'Downloading'
  | 'Downloaded'
  | 'RebootPending'
  | 'Running'
  | 'Completed'
  | 'Failed'
  | 'CompletedWithErrors';

export const TERMINAL_JOB_STATES: ReadonlySet<DellJobState> = new Set([
  'Completed',
  'Failed',
  'CompletedWithErrors',
]);

export interface IdracJob {
  id: string;
  name: string;
  jobType:
    | 'FirmwareUpdate'
    | 'ExportConfiguration'
    | 'ImportConfiguration'
    | 'BIOSConfiguration'
    | 'RebootNoForce'
    | 'FirmwareUpdateStale';
  state: DellJobState;
  percent: number;
  message: string;
  messageId: string;
  startTime: string;
  completionTime?: string;
  /** Firmware jobs: the package and what it targets. */
  update?: {
    packageKey: string;
    version: string;
    fqdds: string[];
    applyTime: 'Immediate' | 'OnReset' | 'OnStartUpdateRequest';
    /** OnStartUpdateRequest: downloaded, waiting for UpdateService.StartUpdate. */
    awaitingStart?: boolean;
    rebootRequired: boolean;
    imageUri?: string;
    /** The package is on the iDRAC (after Downloading). */
    downloaded?: boolean;
  };
  /** Export jobs: the profile once exported. */
  exportContent?: string;
  exportFormat?: 'JSON' | 'XML';
  /** Left over from an earlier attempt (the staleJobs fault): blocks new updates until cleared. */
  stale?: boolean;
}

export interface VirtualMediaSlot {
  image?: string;
  inserted: boolean;
  writeProtected: boolean;
  connectedVia: 'NotConnected' | 'URI';
  /** Who the share was mounted as (never the password: the lab does not keep it). */
  userName?: string;
}

export interface RedfishSession {
  id: string;
  token: string;
  username: string;
  createdAt: string;
  /** Lab clock ms of the last request made with this session (idle sessions expire). */
  lastUsedMs: number;
}

/** One hardware fault raised or cleared on a host (lab/src/idrac/hardware-health.ts renders it). */
export interface HardwareEvent {
  id: number;
  created: string;
  severity: 'OK' | 'Warning' | 'Critical';
  component: string;
  message: string;
}

export interface HostState {
  /** Service tag: the canonical host id. */
  id: string;
  /** Position in the lab (0-based), used for stable derived values (addresses, morefs). */
  index: number;
  name: string;
  moref: string;
  model: string;
  vcenterId: string;
  clusterId: string;
  cpuMhz: number;
  memoryMiB: number;
  esxiVersion: string;
  idracAddress: string;
  idracMac: string;
  uuid: string;
  /** What vSphere reports as the service tag when it is not `id` (duplicate-tag tests). */
  reportedServiceTag?: string;
  power: PowerState;
  osPhase: OsPhase;
  connectionState: ConnectionState;
  inMaintenanceMode: boolean;
  idrac: 'up' | 'resetting';
  /** The iDRAC generation it impersonates (layout of the Dell OEM resources, `$expand`, quirks). */
  idracPersonality: IdracPersonality;
  /** FQDD -> installed firmware. */
  firmware: Map<string, InstalledFirmware>;
  /** The iDRAC job queue, in creation order. */
  jobs: Map<string, IdracJob>;
  virtualMedia: { CD: VirtualMediaSlot; RemovableDisk: VirtualMediaSlot };
  sessions: Map<string, RedfishSession>;
  /** Hardware events (newest last) the SEL and the Lifecycle Controller log show above the capture's entries. */
  hardwareEvents: HardwareEvent[];
  /** SCP attributes imported over the captured ones (FQDD -> name -> value); exports show these. */
  scpAttributes: Map<string, Map<string, string>>;
  /** Imported BIOS attributes waiting for the next POST (an import with ShutdownType NoReboot). */
  scpPending: Map<string, Map<string, string>>;
  /** Increments on every reboot/power change; pending phase timers from an older epoch are ignored. */
  epoch: number;
  lastBootAt: string;
}

export interface VmState {
  /** vCenter moref, e.g. `vm-1001`; unique within the lab. */
  id: string;
  moref: string;
  name: string;
  uuid: string;
  vcenterId: string;
  clusterId: string;
  hostId: string;
  powerState: 'poweredOn' | 'poweredOff' | 'suspended';
  cpuMhz: number;
  memoryMiB: number;
  devices: LabVmDevices;
  isVcenterAppliance: boolean;
  /** VMware snapshots (CreateSnapshot_Task), oldest first; `parent` makes the tree. */
  snapshots?: VmSnapshotState[];
  /** The snapshot the VM runs from (the newest taken, or a removed one's parent). */
  currentSnapshot?: string;
  /** Set when RegisterVM_Task added the VM from a `.vmx` on an NFS datastore (a DR registration). */
  registration?: VmRegistration;
  /** The NIC's port group moref (ReconfigVM_Task changes it); `VM Network` when absent. */
  networkMoref?: string;
  /** Lab-clock epoch ms of the last power-on: VMware Tools answer some seconds later. Absent: booted long ago. */
  poweredOnAt?: number;
}

export interface VmSnapshotState {
  /** `snapshot-<n>`, the VirtualMachineSnapshot moref. */
  moref: string;
  id: number;
  name: string;
  description: string;
  createTime: string;
  quiesced: boolean;
  parent?: string;
}

export interface VmRegistration {
  /** Datastore path as vSphere writes it: `[ds-name] dir/name.vmx`. */
  readonly vmxPath: string;
  readonly datastoreMoref: string;
  readonly instanceUuid: string;
}

/** An NFS datastore mounted on every host of one vCenter; its files are a real directory. */
export interface NfsDatastoreState {
  readonly moref: string;
  readonly name: string;
  readonly localDir: string;
}

export interface ClusterState {
  /** Cluster name, unique within its vCenter (`lab-a`). */
  id: string;
  name: string;
  moref: string;
  vcenterId: string;
  drsEnabled: boolean;
  ha: LabHaSettings;
  /** A standalone host's compute resource (one host, no DRS, no HA), not a cluster. */
  standalone: boolean;
  hostIds: string[];
  /** vCenter custom attributes on the cluster, name -> value. */
  customAttributes: Readonly<Record<string, string>>;
}

export interface VcenterState {
  id: string;
  name: string;
  version: string;
  clusterIds: string[];
  quirks: VcenterQuirks;
  /** Standard port groups beyond `VM Network` / `Management Network` (an isolated test network, say). */
  portGroups: string[];
  nfsDatastores: NfsDatastoreState[];
}
