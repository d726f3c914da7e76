import { z } from 'zod';

/** Only the fields RackOps reads; everything else a real iDRAC sends passes through untouched. */
export const OdataRef = z.object({ '@odata.id': z.string() });

export const Collection = z.object({
  Members: z.array(z.looseObject({ '@odata.id': z.string() })),
  'Members@odata.nextLink': z.string().optional(),
});

export const ComputerSystem = z.looseObject({
  Id: z.string(),
  Model: z.string().optional(),
  Manufacturer: z.string().optional(),
  SKU: z.string().nullish(),
  SerialNumber: z.string().nullish(),
  PowerState: z.string().nullish(),
  BiosVersion: z.string().nullish(),
  Status: z.looseObject({ Health: z.string().nullish() }).optional(),
  Oem: z
    .looseObject({
      Dell: z
        .looseObject({ DellSystem: z.looseObject({ SystemID: z.number().optional() }).optional() })
        .optional(),
    })
    .optional(),
});
export type ComputerSystem = z.infer<typeof ComputerSystem>;

export const SoftwareInventory = z.looseObject({
  '@odata.id': z.string(),
  Id: z.string(),
  Name: z.string(),
  Version: z.string(),
  SoftwareId: z.string().optional(),
  Updateable: z.boolean().optional(),
  Oem: z
    .looseObject({
      Dell: z
        .looseObject({
          DellSoftwareInventory: z
            .looseObject({
              VendorID: z.string().nullish(),
              DeviceID: z.string().nullish(),
              SubVendorID: z.string().nullish(),
              SubDeviceID: z.string().nullish(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type SoftwareInventory = z.infer<typeof SoftwareInventory>;

export const DellJob = z.looseObject({
  Id: z.string(),
  Name: z.string().nullish(),
  JobState: z.string(),
  JobType: z.string().nullish(),
  Message: z.string().nullish(),
  MessageId: z.string().nullish(),
  PercentComplete: z.number().nullish(),
});
export type DellJob = z.infer<typeof DellJob>;

export const RemoteServicesStatus = z.looseObject({
  LCStatus: z.string(),
  RTStatus: z.string().optional(),
  ServerStatus: z.string().optional(),
  Status: z.string().optional(),
});

export const VirtualMedia = z.looseObject({
  Id: z.string(),
  Image: z.string().nullish(),
  Inserted: z.boolean().nullish(),
  ConnectedVia: z.string().nullish(),
});
export type VirtualMedia = z.infer<typeof VirtualMedia>;

export const UpdateServiceRoot = z.looseObject({
  MultipartHttpPushUri: z.string().optional(),
  HttpPushUri: z.string().optional(),
});

/** TaskService task as iDRAC exposes a job through `/redfish/v1/TaskService/Tasks/JID_…`. */
export const RedfishTask = z.looseObject({
  Id: z.string(),
  TaskState: z.string(),
  PercentComplete: z.number().nullish(),
  Messages: z.array(z.looseObject({ Message: z.string().nullish() })).optional(),
});
