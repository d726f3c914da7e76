import { z } from 'zod';

export const OmeDevice = z.looseObject({
  Id: z.number(),
  Type: z.number().optional(),
  Identifier: z.string().nullish(),
  DeviceServiceTag: z.string().nullish(),
  Model: z.string().nullish(),
  /**
   * Dell's model id, the one iDRAC reports as `Oem.Dell.DellSystem.SystemID` (catalog matching needs it).
   * A value that is not one reads as absent: the server is still listed, its compliance is then unknown.
   */
  SystemId: z.number().int().nullish().catch(null),
  DeviceName: z.string().nullish(),
  PowerState: z.number().nullish(),
  Status: z.number().nullish(),
  DeviceManagement: z.array(z.looseObject({ NetworkAddress: z.string().nullish() })).nullish(),
});
export type OmeDevice = z.infer<typeof OmeDevice>;

export const OmePage = <T extends z.ZodType>(item: T) =>
  z.object({
    value: z.array(item),
    '@odata.count': z.number().optional(),
    '@odata.nextLink': z.string().nullish(),
  });

export const OmeSoftware = z.looseObject({
  Version: z.string(),
  DeviceDescription: z.string().nullish(),
  ComponentId: z.union([z.string(), z.number()]).nullish(),
  SoftwareType: z.string().nullish(),
  InstanceId: z.string().nullish(),
  PciDeviceId: z.string().nullish(),
  VendorId: z.string().nullish(),
  SubDeviceId: z.string().nullish(),
  SubVendorId: z.string().nullish(),
});
export type OmeSoftware = z.infer<typeof OmeSoftware>;

export const OmeInventoryDetails = z.looseObject({ InventoryInfo: z.array(OmeSoftware) });
