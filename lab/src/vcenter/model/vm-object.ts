import type { VmState } from '../../world/types';
import { arr, bool, dateTime, en, int, mor, morArray, obj, str, type Vim } from '../soap/vim-value';
import type { VcContext } from '../vc-context';
import type { ManagedObject } from './managed-object';
import { localDatastoreOf, resourcePoolOf, sharedDatastoreOf, VM_FOLDER, VM_NETWORK } from './morefs';
import { vmDevices } from './vm-devices';

/** vCPUs from the MHz demand: the lab config gives demand, vCenter shows a vCPU count. */
export function vmNumCpu(vm: VmState): number {
  return Math.max(1, Math.min(64, Math.round(vm.cpuMhz / 1000)));
}

export const GUEST = { id: 'ubuntu64Guest', fullName: 'Ubuntu Linux (64-bit)' } as const;
const VCSA_GUEST = { id: 'vmwarePhoton64Guest', fullName: 'VMware Photon OS (64-bit)' } as const;

/** The VirtualMachine managed object, read live from the world. */
export function vmObject(ctx: VcContext, vm: VmState): ManagedObject {
  const { world } = ctx;
  const host = () => world.host(vm.hostId);
  const cluster = () => world.cluster(vm.clusterId);
  const on = () => vm.powerState === 'poweredOn';
  const guest = vm.isVcenterAppliance ? VCSA_GUEST : GUEST;
  const datastores = () => {
    const h = host();
    const c = cluster();
    return {
      shared: { moref: sharedDatastoreOf(c), name: `${c.name}-ds01` },
      local: { moref: localDatastoreOf(h), name: `datastore1 (${h.name.split('.')[0]})` },
    };
  };
  const vmConnection = () => (host().connectionState === 'connected' ? 'connected' : 'disconnected');
  const ftState = () => (vm.devices.faultTolerance ? (on() ? 'running' : 'needSecondary') : 'notConfigured');
  const runtime = () =>
    obj('VirtualMachineRuntimeInfo', {
      host: mor('HostSystem', host().moref),
      connectionState: en('VirtualMachineConnectionState', vmConnection()),
      powerState: en('VirtualMachinePowerState', vm.powerState),
      faultToleranceState: en('VirtualMachineFaultToleranceState', ftState()),
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
  const configSummary = () =>
    obj('VirtualMachineConfigSummary', {
      name: str(vm.name),
      template: bool(false),
      vmPathName: str(`[${datastores().shared.name}] ${vm.name}/${vm.name}.vmx`),
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
      ftInfo: vm.devices.faultTolerance
        ? obj('FaultToleranceSecondaryConfigInfo', { instanceUuids: [str(instanceUuid(vm))] })
        : undefined,
    });
  const quickStats = () =>
    obj('VirtualMachineQuickStats', {
      // Demand as usage while powered on: what a capacity planner reads.
      overallCpuUsage: int(on() ? vm.cpuMhz : 0),
      overallCpuDemand: int(on() ? vm.cpuMhz : 0),
      guestMemoryUsage: int(on() ? Math.round(vm.memoryMiB * 0.6) : 0),
      hostMemoryUsage: int(on() ? vm.memoryMiB : 0),
      uptimeSeconds: on() ? int(3600) : undefined,
    });
  const devices = () => {
    const d = datastores();
    return arr('VirtualDevice', vmDevices(vm, host(), d.shared, d.local));
  };
  return {
    ref: { type: 'VirtualMachine', value: vm.moref },
    properties: {
      name: () => str(vm.name),
      parent: () => mor('Folder', VM_FOLDER),
      resourcePool: () => mor('ResourcePool', resourcePoolOf(cluster())),
      overallStatus: () => en('ManagedEntityStatus', 'green'),
      runtime,
      'runtime.powerState': () => en('VirtualMachinePowerState', vm.powerState),
      'runtime.host': () => mor('HostSystem', host().moref),
      summary: () =>
        obj('VirtualMachineSummary', {
          vm: mor('VirtualMachine', vm.moref),
          runtime: runtime(),
          guest: obj('VirtualMachineGuestSummary', {
            guestId: str(guest.id),
            guestFullName: str(guest.fullName),
            toolsStatus: en('VirtualMachineToolsStatus', on() ? 'toolsOk' : 'toolsNotRunning'),
            toolsRunningStatus: str(on() ? 'guestToolsRunning' : 'guestToolsNotRunning'),
            hostName: str(vm.name),
          }),
          config: configSummary(),
          quickStats: quickStats(),
          overallStatus: en('ManagedEntityStatus', 'green'),
        }),
      config: () =>
        obj('VirtualMachineConfigInfo', {
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
            device: (devices() as Extract<Vim, { kind: 'array' }>).items,
          }),
          // A VM with a vGPU or PCI passthrough must reserve all its memory (vSphere enforces it).
          memoryReservationLockedToMax: bool(vm.devices.pciPassthrough || vm.devices.vgpu),
        }),
      'config.hardware.device': devices,
      guest: () =>
        obj('GuestInfo', {
          toolsRunningStatus: str(on() ? 'guestToolsRunning' : 'guestToolsNotRunning'),
          guestId: str(guest.id),
          guestFullName: str(guest.fullName),
          hostName: str(vm.name),
          guestState: str(on() ? 'running' : 'notRunning'),
        }),
      datastore: () => {
        const d = datastores();
        return morArray([mor('Datastore', vm.devices.localStorage ? d.local.moref : d.shared.moref)]);
      },
      network: () => morArray([mor('Network', VM_NETWORK)]),
    },
  };
}

/** vCenter's instance UUID differs from the BIOS UUID; derive it stably from it. */
export function instanceUuid(vm: VmState): string {
  return `50${vm.uuid.slice(2)}`;
}
