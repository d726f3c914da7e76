import { z } from 'zod';

/** PCI ids of a device a package applies to (hex strings, upper case, as Dell writes them). */
export const PciIds = z.object({
  vendorId: z.string(),
  deviceId: z.string(),
  subVendorId: z.string().optional(),
  subDeviceId: z.string().optional(),
});
export type PciIds = z.infer<typeof PciIds>;

/** `SupportedDevices/Device`: matched by `componentID`, or by PCI ids for devices whose SoftwareId is 0. */
export const CatalogDevice = z.object({
  componentId: z.string().optional(),
  name: z.string().optional(),
  pci: z.array(PciIds).default([]),
});
export type CatalogDevice = z.infer<typeof CatalogDevice>;

export const Criticality = z.enum(['Optional', 'Recommended', 'Urgent']);
export type Criticality = z.infer<typeof Criticality>;

/** One `SoftwareComponent` (an update package) of a Dell catalog. */
export const CatalogComponent = z.object({
  /** Package path relative to the catalog's base location, e.g. `FOLDER0123/1/BIOS_X_WN64_1.9.2.EXE`. */
  path: z.string().min(1),
  name: z.string(),
  vendorVersion: z.string().min(1),
  dellVersion: z.string().optional(),
  releaseId: z.string().optional(),
  packageType: z.string().optional(),
  componentType: z.string().optional(),
  hashMd5: z.string().optional(),
  sha256: z.string().optional(),
  criticality: Criticality,
  rebootRequired: z.boolean(),
  releaseDate: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  devices: z.array(CatalogDevice),
  /** `SupportedSystems/Brand/Model/@systemID`: 4-digit upper-case hex (`090E` for an R750). */
  systemIds: z.array(z.string()),
});
export type CatalogComponent = z.infer<typeof CatalogComponent>;

export const Catalog = z.object({
  /** `Manifest/@baseLocation`: host or URL packages are fetched from (paths are relative to it). */
  baseLocation: z.string().optional(),
  baseLocationAccessProtocols: z.array(z.string()).default([]),
  version: z.string().optional(),
  releaseId: z.string().optional(),
  dateTime: z.string().optional(),
  components: z.array(CatalogComponent),
  /** Components skipped because they were incomplete (the rest of the catalog is still usable). */
  warnings: z.array(z.string()).default([]),
});
export type Catalog = z.infer<typeof Catalog>;

/** Dell's SystemID (decimal, `Oem.Dell.DellSystem.SystemID`) as the catalog writes it: 4-digit hex. */
export const systemIdHex = (systemId: number): string => systemId.toString(16).toUpperCase().padStart(4, '0');
