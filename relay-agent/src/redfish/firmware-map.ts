import type { FirmwareComponent } from '@rackops/core/inventory/inventory.schema';
import type { SoftwareInventory } from './redfish.schemas';
import { dellPciIds } from '@rackops/core/inventory/pci-ids';

/** Redfish `Installed-<SoftwareId>-<Version>__<FQDD>` member → the shared FirmwareComponent shape. */
export function toFirmwareComponent(s: SoftwareInventory): FirmwareComponent {
  const fqdd = /__(.+)$/.exec(s.Id)?.[1];
  const softwareId = s.SoftwareId ?? /^Installed-([^-]+)-/.exec(s.Id)?.[1] ?? '0';
  const pci = dellPciIds(s.Oem?.Dell?.DellSoftwareInventory);
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
