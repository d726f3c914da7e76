import type { FirmwareComponent } from '@rackops/core/inventory/inventory.schema';
import type { SoftwareInventory } from './redfish.schemas';

/** Redfish `Installed-<SoftwareId>-<Version>__<FQDD>` member → the shared FirmwareComponent shape. */
export function toFirmwareComponent(s: SoftwareInventory): FirmwareComponent {
  const fqdd = /__(.+)$/.exec(s.Id)?.[1];
  const softwareId = s.SoftwareId ?? /^Installed-([^-]+)-/.exec(s.Id)?.[1] ?? '0';
  const d = s.Oem?.Dell?.DellSoftwareInventory;
  const pci =
    d && (d.VendorID || d.DeviceID)
      ? {
          vendorId: d.VendorID ?? undefined,
          deviceId: d.DeviceID ?? undefined,
          subVendorId: d.SubVendorID ?? undefined,
          subDeviceId: d.SubDeviceID ?? undefined,
        }
      : undefined;
  return {
    id: s.Id,
    name: s.Name,
    version: s.Version,
    softwareId,
    ...(fqdd ? { fqdd } : {}),
    ...(pci ? { pci } : {}),
    updateable: s.Updateable ?? true,
  };
}
