import { z } from 'zod';
import type { FirmwareComponent } from '../inventory/inventory.schema';

const hexOrUndefined = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v) => (v ? v.toUpperCase() : undefined));

/** The fields of a Redfish `SoftwareInventory` member (iDRAC9) that matching needs. */
const RedfishSoftwareInventory = z.object({
  Id: z.string().min(1),
  Name: z.string().default(''),
  Version: z.string().min(1),
  SoftwareId: z.string().default('0'),
  Updateable: z.boolean().default(true),
  Oem: z
    .object({
      Dell: z
        .object({
          DellSoftwareInventory: z
            .object({
              VendorID: hexOrUndefined,
              DeviceID: hexOrUndefined,
              SubVendorID: hexOrUndefined,
              SubDeviceID: hexOrUndefined,
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

/**
 * FirmwareComponent from a Redfish FirmwareInventory member. Redfish puts the PCI ids of a device only
 * under `Oem.Dell.DellSoftwareInventory`; the FQDD is the part of the id after `__`
 * (`Installed-0-20.31.10.14__InfiniBand.Slot.7-1`). Returns undefined for a member that is not one.
 */
export function firmwareFromRedfish(member: unknown): FirmwareComponent | undefined {
  const parsed = RedfishSoftwareInventory.safeParse(member);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  const dell = m.Oem?.Dell?.DellSoftwareInventory;
  const fqdd = m.Id.includes('__') ? m.Id.slice(m.Id.indexOf('__') + 2) : undefined;
  const pci =
    dell?.VendorID && dell.DeviceID
      ? {
          vendorId: dell.VendorID,
          deviceId: dell.DeviceID,
          subVendorId: dell.SubVendorID,
          subDeviceId: dell.SubDeviceID,
        }
      : undefined;
  return {
    id: m.Id,
    name: m.Name,
    version: m.Version,
    softwareId: m.SoftwareId,
    fqdd,
    pci,
    updateable: m.Updateable,
  };
}

/**
 * Only installed components describe what runs now. Redfish: `Previous-*` are rollback images and
 * `Current-*` duplicate `Installed-*`. OME/WS-Man instance ids say the same as `DCIM:PREVIOUS#...`,
 * `DCIM:CURRENT#...`, `DCIM:AVAILABLE#...` (a package staged but not applied).
 */
export const isInstalledFirmware = (f: FirmwareComponent): boolean =>
  !/^(Previous|Current)-/.test(f.id) && !/^DCIM:(PREVIOUS|CURRENT|AVAILABLE)[#_]/i.test(f.id);
