import type { HostState } from '../world/types';
import type { World } from '../world/world';
import { deviceIdOf, omeTime } from './ome-devices';

/**
 * Per-device inventory (`InventoryDetails`), the types a firmware and inventory sync reads.
 * `deviceSoftware` (OME's firmware inventory; `serverSoftware` is served as the same list) comes
 * from the same world state the iDRAC serves, so the two sources agree (ComponentId = Dell
 * SoftwareId, PCI ids for SoftwareId 0 components).
 */
export const INVENTORY_TYPES = [
  'deviceSoftware',
  'serverSoftware',
  'serverOperatingSystems',
  'serverProcessors',
  'serverMemoryDevices',
] as const;
export type InventoryType = (typeof INVENTORY_TYPES)[number];

/** WS-Man style instance ids OME shows (`DCIM:INSTALLED#741__BIOS.Setup.1-1`); the code follows the component kind. */
function instanceId(fqdd: string, componentType: string): string {
  if (fqdd.startsWith('iDRAC.')) return `DCIM:INSTALLED#${fqdd}#IDRACinfo`;
  if (fqdd.startsWith('BIOS.')) return `DCIM:INSTALLED#741__${fqdd}`;
  if (fqdd.startsWith('NIC.') || fqdd.startsWith('InfiniBand.')) return `DCIM:INSTALLED#701__${fqdd}`;
  if (fqdd.startsWith('Disk.')) return `DCIM:INSTALLED#304_C_${fqdd}`;
  if (fqdd.startsWith('PSU.')) return `DCIM:INSTALLED#0x15__${fqdd}`;
  if (componentType === 'APAC') return `DCIM:INSTALLED#802__${fqdd}`;
  return `DCIM:INSTALLED#0__${fqdd}`;
}

function serverSoftware(world: World, h: HostState) {
  return world.firmwareComponents(h.id).map((c) => ({
    Version: c.version,
    InstallationDate: omeTime(h.firmware.get(c.fqdd)?.installedAt ?? world.clock.now()),
    Status: 'Installed',
    SoftwareType: c.componentType,
    VendorId: c.pci?.vendorId ?? '',
    SubDeviceId: c.pci?.subDeviceId ?? '',
    SubVendorId: c.pci?.subVendorId ?? '',
    ComponentId: c.softwareId,
    PciDeviceId: c.pci?.deviceId ?? '',
    DeviceDescription: c.name,
    InstanceId: instanceId(c.fqdd, c.componentType),
  }));
}

function operatingSystems(h: HostState) {
  return [{ Id: 1, Hostname: h.name, OsName: 'VMware ESXi', OsVersion: h.esxiVersion }];
}

function processors(h: HostState) {
  const cores = Math.max(1, Math.round(h.cpuMhz / 2 / 2000));
  return [1, 2].map((n) => ({
    Id: n,
    Family: 'Intel(R) Xeon(TM)',
    MaxSpeed: 4000,
    CurrentSpeed: 2000,
    SlotNumber: `CPU.Socket.${n}`,
    Status: 1000,
    NumberOfCores: cores,
    NumberOfEnabledCores: cores,
    BrandName: 'Intel',
    ModelName: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
    InstanceId: `CPU.Socket.${n}`,
    Voltage: '1.8',
  }));
}

function memoryDevices(h: HostState) {
  const dimms = 16;
  const sizeMb = Math.round(h.memoryMiB / dimms);
  return Array.from({ length: dimms }, (_, i) => ({
    Id: i + 1,
    Name: `DIMM.Socket.${String.fromCharCode(65 + (i % 2))}${Math.floor(i / 2) + 1}`,
    BankName: String.fromCharCode(65 + (i % 2)),
    Size: sizeMb,
    Status: 1000,
    Manufacturer: 'Hynix Semiconductor',
    PartNumber: 'HMAA4GR7CJR8N-XN',
    SerialNumber: `${h.id}${String(i).padStart(2, '0')}`,
    TypeDetails: 'DDR4 DIMM',
    Speed: 3200,
    CurrentOperatingSpeed: 3200,
    Rank: 'Double Rank',
    InstanceId: `DIMM.Socket.${String.fromCharCode(65 + (i % 2))}${Math.floor(i / 2) + 1}`,
    DeviceDescription: `DIMM ${String.fromCharCode(65 + (i % 2))}${Math.floor(i / 2) + 1}`,
  }));
}

/** One InventoryDetail resource. */
export function inventoryDetail(world: World, h: HostState, type: InventoryType) {
  const info =
    type === 'deviceSoftware' || type === 'serverSoftware'
      ? serverSoftware(world, h)
      : type === 'serverOperatingSystems'
        ? operatingSystems(h)
        : type === 'serverProcessors'
          ? processors(h)
          : memoryDevices(h);
  return {
    '@odata.id': `/api/DeviceService/Devices(${deviceIdOf(h)})/InventoryDetails('${type}')`,
    InventoryType: type,
    InventoryInfo: info,
  };
}
