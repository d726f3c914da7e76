import type { LabClock } from '../../clock';
import type { VmState } from '../../world/types';
import { arr, bool, dateTime, en, int, mor, morArray, obj, str, type Vim } from '../soap/vim-value';
import type { VcContext } from '../vc-context';
import { getterTable, type ManagedObject, TableObject } from './managed-object';
import {
  localDatastoreOf,
  portGroupMoref,
  resourcePoolOf,
  sharedDatastoreOf,
  VM_FOLDER,
  VM_NETWORK,
} from './morefs';
import { vmDevices } from './vm-devices';
import { vmRootSnapshots, vmSnapshotInfo } from '../vm-snapshots';

/** vCPUs from the MHz demand: the lab config gives demand, vCenter shows a vCPU count. */
export function vmNumCpu(vm: VmState): number {
  return Math.max(1, Math.min(64, Math.round(vm.cpuMhz / 1000)));
}

/** vCenter's instance UUID differs from the BIOS UUID; derive it stably from it (a registration keeps its `vc.uuid`). */
export function instanceUuid(vm: VmState): string {
  return vm.registration?.instanceUuid ?? `50${vm.uuid.slice(2)}`;
}

/** VMware Tools start this long (real ms, scaled by the lab clock) after a power-on; until then the heartbeat is gray. */
export const TOOLS_START_MS = 12_000;

/** Tools answer: powered on, and booted for TOOLS_START_MS (a VM on since the lab started has booted long ago). */
export function toolsRunning(vm: VmState, clock: LabClock): boolean {
  if (vm.powerState !== 'poweredOn') return false;
  return (
    vm.poweredOnAt === undefined || clock.now().getTime() - vm.poweredOnAt >= clock.scaled(TOOLS_START_MS)
  );
}

const GUEST = { id: 'ubuntu64Guest', fullName: 'Ubuntu Linux (64-bit)' } as const;
const VCSA_GUEST = { id: 'vmwarePhoton64Guest', fullName: 'VMware Photon OS (64-bit)' } as const;

interface VmScope {
  readonly ctx: VcContext;
  readonly vm: VmState;
}

const guestOf = ({ vm }: VmScope) => (vm.isVcenterAppliance ? VCSA_GUEST : GUEST);
const on = ({ vm }: VmScope) => vm.powerState === 'poweredOn';
const hostOf = ({ ctx, vm }: VmScope) => ctx.world.host(vm.hostId);
const tools = ({ ctx, vm }: VmScope) => toolsRunning(vm, ctx.world.clock);

function datastoresOf(s: VmScope) {
  const h = hostOf(s);
  const c = s.ctx.world.cluster(s.vm.clusterId);
  const reg = s.vm.registration;
  const nfs = reg && s.ctx.vcenter.nfsDatastores.find((d) => d.moref === reg.datastoreMoref);
  return {
    shared: nfs
      ? { moref: nfs.moref, name: nfs.name }
      : { moref: sharedDatastoreOf(c), name: `${c.name}-ds01` },
    local: { moref: localDatastoreOf(h), name: `datastore1 (${h.name.split('.')[0]})` },
  };
}

function runtime(s: VmScope): Vim {
  const { vm } = s;
  const host = hostOf(s);
  const ft = vm.devices.faultTolerance ? (on(s) ? 'running' : 'needSecondary') : 'notConfigured';
  return obj('VirtualMachineRuntimeInfo', {
    host: mor('HostSystem', host.moref),
    connectionState: en(
      'VirtualMachineConnectionState',
      host.connectionState === 'connected' ? 'connected' : 'disconnected',
    ),
    powerState: en('VirtualMachinePowerState', vm.powerState),
    faultToleranceState: en('VirtualMachineFaultToleranceState', ft),
    toolsInstallerMounted: bool(false),
    maxCpuUsage: int(vm.cpuMhz),
    maxMemoryUsage: int(vm.memoryMiB),
    numMksConnections: int(0),
    recordReplayState: str('inactive'),
    consolidationNeeded: bool(false),
    onlineStandby: bool(false),
    paused: bool(false),
    snapshotInBackground: bool(false),
    instantCloneFrozen: bool(false),
  });
}

function configSummary(s: VmScope): Vim {
  const { vm } = s;
  const guest = guestOf(s);
  return obj('VirtualMachineConfigSummary', {
    name: str(vm.name),
    template: bool(false),
    vmPathName: str(vm.registration?.vmxPath ?? `[${datastoresOf(s).shared.name}] ${vm.name}/${vm.name}.vmx`),
    memorySizeMB: int(vm.memoryMiB),
    numCpu: int(vmNumCpu(vm)),
    numEthernetCards: int(1),
    numVirtualDisks: int(1),
    uuid: str(vm.uuid),
    instanceUuid: str(instanceUuid(vm)),
    guestId: str(guest.id),
    guestFullName: str(guest.fullName),
    annotation: str(vm.isVcenterAppliance ? 'VMware vCenter Server Appliance' : ''),
    installBootRequired: bool(false),
    // A real VCSA is deployed from VMware's OVF, whose product section vCenter reports here.
    product: vm.isVcenterAppliance
      ? obj('VAppProductInfo', {
          key: int(0),
          name: str('VMware vCenter Server Appliance'),
          vendor: str('VMware Inc.'),
          version: str('8.0.3.00000'),
        })
      : undefined,
    ftInfo: vm.devices.faultTolerance
      ? obj('FaultToleranceSecondaryConfigInfo', { instanceUuids: [str(instanceUuid(vm))] })
      : undefined,
  });
}

function quickStats(s: VmScope): Vim {
  const { vm } = s;
  const running = on(s);
  return obj('VirtualMachineQuickStats', {
    // Demand as usage while powered on: what a capacity planner reads.
    overallCpuUsage: int(running ? vm.cpuMhz : 0),
    overallCpuDemand: int(running ? vm.cpuMhz : 0),
    guestMemoryUsage: int(running ? Math.round(vm.memoryMiB * 0.6) : 0),
    hostMemoryUsage: int(running ? vm.memoryMiB : 0),
    uptimeSeconds: running ? int(3600) : undefined,
  });
}

function devices(s: VmScope): Vim[] {
  const d = datastoresOf(s);
  return vmDevices(s.vm, hostOf(s), d.shared, d.local, networkOf(s));
}

function networkOf({ ctx, vm }: VmScope): { moref: string; name: string } {
  const moref = vm.networkMoref ?? VM_NETWORK;
  const i = ctx.vcenter.portGroups.findIndex((_, n) => portGroupMoref(n) === moref);
  return { moref, name: i >= 0 ? (ctx.vcenter.portGroups[i] as string) : 'VM Network' };
}

function guestInfo(s: VmScope, type: 'GuestInfo' | 'VirtualMachineGuestSummary'): Vim {
  const guest = guestOf(s);
  const running = tools(s);
  return type === 'GuestInfo'
    ? obj('GuestInfo', {
        toolsRunningStatus: str(running ? 'guestToolsRunning' : 'guestToolsNotRunning'),
        guestId: str(guest.id),
        guestFullName: str(guest.fullName),
        hostName: str(s.vm.name),
        guestState: str(on(s) ? 'running' : 'notRunning'),
      })
    : obj('VirtualMachineGuestSummary', {
        guestId: str(guest.id),
        guestFullName: str(guest.fullName),
        toolsStatus: en('VirtualMachineToolsStatus', running ? 'toolsOk' : 'toolsNotRunning'),
        toolsRunningStatus: str(running ? 'guestToolsRunning' : 'guestToolsNotRunning'),
        hostName: str(s.vm.name),
      });
}

/**
 * VirtualMachine properties. One shared table (no closures per VM): an inventory read touches
 * tens of thousands of VMs. Dotted entries are shortcuts for the paths clients ask most.
 */
const VM_PROPERTIES = getterTable<VmScope>({
  name: ({ vm }) => str(vm.name),
  parent: () => mor('Folder', VM_FOLDER),
  resourcePool: ({ ctx, vm }) => mor('ResourcePool', resourcePoolOf(ctx.world.cluster(vm.clusterId))),
  overallStatus: () => en('ManagedEntityStatus', 'green'),
  runtime,
  'runtime.powerState': ({ vm }) => en('VirtualMachinePowerState', vm.powerState),
  'runtime.host': (s) => mor('HostSystem', hostOf(s).moref),
  summary: (s) =>
    obj('VirtualMachineSummary', {
      vm: mor('VirtualMachine', s.vm.moref),
      runtime: runtime(s),
      guest: guestInfo(s, 'VirtualMachineGuestSummary'),
      config: configSummary(s),
      quickStats: quickStats(s),
      overallStatus: en('ManagedEntityStatus', 'green'),
    }),
  'summary.config': configSummary,
  'summary.quickStats': quickStats,
  'summary.runtime': runtime,
  config: (s) => {
    const { vm } = s;
    const guest = guestOf(s);
    return obj('VirtualMachineConfigInfo', {
      changeVersion: str('2026-01-01T00:00:00.000000Z'),
      modified: dateTime('1970-01-01T00:00:00Z'),
      name: str(vm.name),
      guestFullName: str(guest.fullName),
      version: str('vmx-19'),
      uuid: str(vm.uuid),
      instanceUuid: str(instanceUuid(vm)),
      template: bool(false),
      guestId: str(guest.id),
      annotation: str(vm.isVcenterAppliance ? 'VMware vCenter Server Appliance' : ''),
      hardware: obj('VirtualHardware', {
        numCPU: int(vmNumCpu(vm)),
        numCoresPerSocket: int(1),
        memoryMB: int(vm.memoryMiB),
        virtualICH7MPresent: bool(false),
        virtualSMCPresent: bool(false),
        device: devices(s),
      }),
      // A VM with a vGPU or PCI passthrough must reserve all its memory (vSphere enforces it).
      memoryReservationLockedToMax: bool(vm.devices.pciPassthrough || vm.devices.vgpu),
    });
  },
  'config.hardware.device': (s) => arr('VirtualDevice', devices(s)),
  guest: (s) => guestInfo(s, 'GuestInfo'),
  'guest.toolsRunningStatus': (s) => str(tools(s) ? 'guestToolsRunning' : 'guestToolsNotRunning'),
  guestHeartbeatStatus: (s) => en('ManagedEntityStatus', tools(s) ? 'green' : 'gray'),
  datastore: (s) => {
    const d = datastoresOf(s);
    return morArray([mor('Datastore', s.vm.devices.localStorage ? d.local.moref : d.shared.moref)]);
  },
  network: (s) => morArray([mor('Network', networkOf(s).moref)]),
  snapshot: ({ vm }) => vmSnapshotInfo(vm),
  rootSnapshot: ({ vm }) => vmRootSnapshots(vm),
});

/** The VirtualMachine managed object, read live from the world. */
export function vmObject(ctx: VcContext, vm: VmState): ManagedObject {
  return new TableObject({ type: 'VirtualMachine', value: vm.moref }, VM_PROPERTIES, { ctx, vm });
}
