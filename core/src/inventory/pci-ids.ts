import type { FirmwareComponent } from './inventory.schema';

export type PciIds = NonNullable<FirmwareComponent['pci']>;

type Id = string | null | undefined;

/**
 * PCI ids of a firmware component (what identifies disks and add-in NICs, whose SoftwareId is 0), or
 * undefined when the device gave neither a vendor nor a device id. Null ids (Redfish, OME) become absent.
 */
export function pciIds(ids: {
  vendorId?: Id;
  deviceId?: Id;
  subVendorId?: Id;
  subDeviceId?: Id;
}): PciIds | undefined {
  if (!ids.vendorId && !ids.deviceId) return undefined;
  return {
    vendorId: ids.vendorId ?? undefined,
    deviceId: ids.deviceId ?? undefined,
    subVendorId: ids.subVendorId ?? undefined,
    subDeviceId: ids.subDeviceId ?? undefined,
  };
}

/** The ids in Dell's Redfish OEM `DellSoftwareInventory` (the iDRAC and the lab that imitates it). */
export const dellPciIds = (
  d: { VendorID?: Id; DeviceID?: Id; SubVendorID?: Id; SubDeviceID?: Id } | undefined,
): PciIds | undefined =>
  d &&
  pciIds({
    vendorId: d.VendorID,
    deviceId: d.DeviceID,
    subVendorId: d.SubVendorID,
    subDeviceId: d.SubDeviceID,
  });
