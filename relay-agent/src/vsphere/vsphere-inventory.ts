import { z } from 'zod';
import type { VsphereClient } from './vsphere-client';
import type { ObjectContent } from './vim-decode';
import { MoRef, vBool, vList, vNum } from './vim-zod';

/** Raw vCenter facts RackOps reads, validated loosely: one odd object becomes a warning, not a failure. */
export const HOST_PATHS = [
  'name',
  'parent',
  'runtime.connectionState',
  'runtime.inMaintenanceMode',
  'runtime.powerState',
  'summary.hardware.cpuMhz',
  'summary.hardware.numCpuCores',
  'summary.hardware.memorySize',
  'summary.config.product.version',
  'hardware.systemInfo',
] as const;
export const HostFacts = z.object({
  name: z.string(),
  parent: MoRef.optional(),
  'runtime.connectionState': z.enum(['connected', 'disconnected', 'notResponding']),
  'runtime.inMaintenanceMode': vBool,
  'runtime.powerState': z.string().optional(),
  'summary.hardware.cpuMhz': vNum.optional(),
  'summary.hardware.numCpuCores': vNum.optional(),
  'summary.hardware.memorySize': vNum.optional(),
  'summary.config.product.version': z.string().optional(),
  'hardware.systemInfo': z.unknown().optional(),
});

export const CLUSTER_PATHS = ['name', 'host', 'configurationEx', 'availableField', 'customValue'] as const;
export const ClusterFacts = z.object({
  name: z.string(),
  host: vList(MoRef).optional(),
  /** Custom attribute definitions (key -> name) and the values set on this cluster (by key). */
  availableField: vList(z.looseObject({ key: vNum, name: z.string() })).optional(),
  customValue: vList(z.looseObject({ key: vNum, value: z.string().optional() })).optional(),
  configurationEx: z
    .looseObject({
      drsConfig: z
        .looseObject({ enabled: vBool.optional(), defaultVmBehavior: z.string().optional() })
        .optional(),
      rule: vList(z.looseObject({ _type: z.string().optional() })).optional(),
      group: vList(z.looseObject({ _type: z.string().optional() })).optional(),
    })
    .optional(),
});

export const VM_PATHS = [
  'name',
  'runtime.host',
  'runtime.powerState',
  'runtime.faultToleranceState',
  'config.hardware.device',
  'config.template',
  'summary.config.memorySizeMB',
  'summary.config.product',
  'summary.quickStats.overallCpuUsage',
  'datastore',
] as const;
export const VmFacts = z.object({
  name: z.string(),
  'runtime.host': MoRef.optional(),
  'runtime.powerState': z.enum(['poweredOn', 'poweredOff', 'suspended']),
  'runtime.faultToleranceState': z.string().optional(),
  'config.hardware.device': vList(z.looseObject({ _type: z.string().optional() })).optional(),
  'config.template': vBool.optional(),
  'summary.config.memorySizeMB': vNum.optional(),
  'summary.config.product': z.looseObject({ name: z.string().optional() }).optional(),
  'summary.quickStats.overallCpuUsage': vNum.optional(),
  datastore: vList(MoRef).optional(),
});

export const DATASTORE_PATHS = [
  'name',
  'summary.type',
  'summary.capacity',
  'summary.freeSpace',
  'host',
] as const;
export const DatastoreFacts = z.object({
  name: z.string(),
  'summary.type': z.string().optional(),
  'summary.capacity': vNum.optional(),
  'summary.freeSpace': vNum.optional(),
  host: vList(z.looseObject({ key: MoRef })).optional(),
});

export const NETWORK_PATHS = ['name'] as const;
export const NetworkFacts = z.object({ name: z.string() });

export interface Parsed<T> {
  readonly obj: { type: string; value: string };
  readonly facts: T;
}

/**
 * Reads every object of a type (paged), keeping the valid ones; the rest are listed as warnings and returned
 * as `rejected`, so a caller can tell which groups it could not read in full.
 */
export async function readAllOrRejected<S extends z.ZodType>(
  vc: VsphereClient,
  type: string,
  paths: readonly string[],
  schema: S,
  warnings: string[],
  pageSize = 500,
): Promise<{ valid: Parsed<z.infer<S>>[]; rejected: ObjectContent[] }> {
  const valid: Parsed<z.infer<S>>[] = [];
  const rejected: ObjectContent[] = [];
  for await (const page of vc.objects(type, paths, pageSize)) {
    for (const o of page as ObjectContent[]) {
      const r = schema.safeParse(o.props);
      if (r.success) valid.push({ obj: o.obj, facts: r.data });
      else {
        rejected.push(o);
        if (warnings.length < 200)
          warnings.push(
            `${type} ${o.obj.value}: unexpected properties (${r.error.issues[0]?.path.join('.')})`,
          );
      }
    }
  }
  return { valid, rejected };
}

/** The valid objects of a type; the others become warnings. */
export async function readAll<S extends z.ZodType>(
  vc: VsphereClient,
  type: string,
  paths: readonly string[],
  schema: S,
  warnings: string[],
  pageSize = 500,
): Promise<Parsed<z.infer<S>>[]> {
  return (await readAllOrRejected(vc, type, paths, schema, warnings, pageSize)).valid;
}
