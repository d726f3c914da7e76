import type { HostState, VmState } from '../../world/types';
import { bool, int, long, mor, obj, short, str, type Vim } from '../soap/vim-value';
import { VM_NETWORK } from './morefs';

/** The key of a VM's (single) network adapter: what ReconfigVM_Task's deviceChange names. */
export const NIC_KEY = 4000;

/** Device keys as vCenter numbers them (controllers 100-1000, disks 2000, CD-ROM 3000, NICs 4000, USB 7000+). */
const KEY = {
  ide: 200,
  pci: 100,
  scsi: 1000,
  usbCtl: 7000,
  disk: 2000,
  cdrom: 3000,
  nic: NIC_KEY,
  usb: 13000,
  pciPt: 13100,
};

const describe = (label: string, summary: string) =>
  obj('Description', { label: str(label), summary: str(summary) });

const connectable = (connected: boolean) =>
  obj('VirtualDeviceConnectInfo', {
    startConnected: bool(connected),
    allowGuestControl: bool(true),
    connected: bool(connected),
    status: str(connected ? 'ok' : 'untried'),
  });

export interface DatastoreRef {
  readonly moref: string;
  readonly name: string;
}

/**
 * `config.hardware.device` of a VM, from its device flags: what a blocker scan reads
 * (VirtualUSB, VirtualPCIPassthrough with a PCI or vGPU backing, VirtualCdrom with a connected ISO,
 * VirtualDisk on a datastore only its host mounts).
 */
export function vmDevices(
  vm: VmState,
  host: HostState,
  shared: DatastoreRef,
  local: DatastoreRef,
  network: DatastoreRef = { moref: VM_NETWORK, name: 'VM Network' },
): Vim[] {
  const disk = vm.devices.localStorage ? local : shared;
  const devices: Vim[] = [
    obj('VirtualIDEController', {
      key: int(KEY.ide),
      deviceInfo: describe('IDE 0', 'IDE 0'),
      busNumber: int(0),
      device: [int(KEY.cdrom)],
    }),
    obj('VirtualPCIController', {
      key: int(KEY.pci),
      deviceInfo: describe('PCI controller 0', 'PCI controller 0'),
      busNumber: int(0),
    }),
    obj('ParaVirtualSCSIController', {
      key: int(KEY.scsi),
      deviceInfo: describe('SCSI controller 0', 'VMware paravirtual SCSI'),
      controllerKey: int(KEY.pci),
      unitNumber: int(3),
      busNumber: int(0),
      device: [int(KEY.disk)],
      hotAddRemove: bool(true),
      sharedBus: str('noSharing'),
      scsiCtlrUnitNumber: int(7),
    }),
    obj('VirtualDisk', {
      key: int(KEY.disk),
      deviceInfo: describe('Hard disk 1', `${Math.max(16, Math.round(vm.memoryMiB / 64))} GB`),
      backing: obj('VirtualDiskFlatVer2BackingInfo', {
        fileName: str(`[${disk.name}] ${vm.name}/${vm.name}.vmdk`),
        datastore: mor('Datastore', disk.moref),
        diskMode: str('persistent'),
        thinProvisioned: bool(true),
        uuid: str(`6000C29${vm.uuid.replace(/-/g, '').slice(0, 25)}`),
      }),
      controllerKey: int(KEY.scsi),
      unitNumber: int(0),
      capacityInKB: long(Math.max(16, Math.round(vm.memoryMiB / 64)) * 1024 * 1024),
      capacityInBytes: long(Math.max(16, Math.round(vm.memoryMiB / 64)) * 1024 * 1024 * 1024),
    }),
    vm.devices.connectedIso
      ? obj('VirtualCdrom', {
          key: int(KEY.cdrom),
          deviceInfo: describe('CD/DVD drive 1', `ISO ${vm.devices.connectedIso}`),
          // The ISO's datastore is named in its path only (the lab has no object for it).
          backing: obj('VirtualCdromIsoBackingInfo', { fileName: str(vm.devices.connectedIso) }),
          connectable: connectable(true),
          controllerKey: int(KEY.ide),
          unitNumber: int(0),
        })
      : obj('VirtualCdrom', {
          key: int(KEY.cdrom),
          deviceInfo: describe('CD/DVD drive 1', 'Remote device'),
          backing: obj('VirtualCdromRemotePassthroughBackingInfo', {
            deviceName: str(''),
            useAutoDetect: bool(false),
            exclusive: bool(false),
          }),
          connectable: connectable(false),
          controllerKey: int(KEY.ide),
          unitNumber: int(0),
        }),
    obj('VirtualVmxnet3', {
      key: int(KEY.nic),
      deviceInfo: describe('Network adapter 1', network.name),
      backing: obj('VirtualEthernetCardNetworkBackingInfo', {
        deviceName: str(network.name),
        network: mor('Network', network.moref),
      }),
      connectable: connectable(vm.powerState === 'poweredOn'),
      controllerKey: int(KEY.pci),
      unitNumber: int(7),
      addressType: str('assigned'),
      macAddress: str(`00:50:56:${vm.uuid.slice(0, 2)}:${vm.uuid.slice(2, 4)}:${vm.uuid.slice(4, 6)}`),
    }),
  ];
  if (vm.devices.usbPassthrough) {
    devices.push(
      obj('VirtualUSBXHCIController', {
        key: int(KEY.usbCtl),
        deviceInfo: describe('USB xHCI controller ', 'USB xHCI controller'),
        controllerKey: int(KEY.pci),
        unitNumber: int(23),
        busNumber: int(0),
        device: [int(KEY.usb)],
        autoConnectDevices: bool(false),
      }),
      obj('VirtualUSB', {
        key: int(KEY.usb),
        deviceInfo: describe('USB 1', `Host USB device on ${host.name}`),
        backing: obj('VirtualUSBUSBBackingInfo', { deviceName: str('path:1/0/3 version:2') }),
        connectable: connectable(true),
        controllerKey: int(KEY.usbCtl),
        unitNumber: int(0),
        connected: bool(true),
        vendor: int(0x0781),
        product: int(0x5581),
        speed: [str('high')],
      }),
    );
  }
  if (vm.devices.pciPassthrough) {
    devices.push(
      obj('VirtualPCIPassthrough', {
        key: int(KEY.pciPt),
        deviceInfo: describe('PCI device 0', 'Mellanox ConnectX-6 Dx'),
        backing: obj('VirtualPCIPassthroughDeviceBackingInfo', {
          deviceName: str('MT2892 Family [ConnectX-6 Dx]'),
          id: str('0000:98:00.0'),
          deviceId: str('101d'),
          systemId: str(host.uuid),
          vendorId: short(0x15b3),
        }),
        controllerKey: int(KEY.pci),
        unitNumber: int(18),
      }),
    );
  }
  if (vm.devices.vgpu) {
    devices.push(
      obj('VirtualPCIPassthrough', {
        key: int(KEY.pciPt + 1),
        deviceInfo: describe('PCI device 1', 'NVIDIA GRID vGPU grid_a100-4c'),
        backing: obj('VirtualPCIPassthroughVmiopBackingInfo', { vgpu: str('grid_a100-4c') }),
        controllerKey: int(KEY.pci),
        unitNumber: int(19),
      }),
    );
  }
  return devices;
}
