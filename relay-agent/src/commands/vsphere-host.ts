import { z } from 'zod';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import { vBool, vList, MoRef as MoRefSchema } from '../vsphere/vim-zod';
import type { VsphereClient } from '../vsphere/vsphere-client';
import { parseProps } from './parse-props';

export interface HostLocator {
  readonly hostId: string;
  readonly hostMoref?: string | undefined;
  readonly vcenterId?: string | undefined;
}

/** Which vCenter: the params say so, or the command targets the vCenter itself. */
export function vcenterIdOf(
  p: { vcenterId?: string | undefined },
  target: { type: string; id: string },
): string | undefined {
  return p.vcenterId ?? (target.type === 'vcenter' ? target.id : undefined);
}

const SystemInfo = z.looseObject({
  serialNumber: z.string().optional(),
  otherIdentifyingInfo: vList(
    z.looseObject({
      identifierValue: z.string().optional(),
      identifierType: z.looseObject({ key: z.string().optional() }).optional(),
    }),
  ).optional(),
});

/** The Dell service tag vSphere reports for a host (otherIdentifyingInfo ServiceTag, else serial). */
export function serviceTagOf(systemInfo: unknown): string | undefined {
  const s = SystemInfo.safeParse(systemInfo);
  if (!s.success) return undefined;
  const tag = s.data.otherIdentifyingInfo?.find(
    (i) => i.identifierType?.key === 'ServiceTag',
  )?.identifierValue;
  return tag || s.data.serialNumber || undefined;
}

/** Resolves the HostSystem: by moref when the command gives one, else by service tag. */
export async function resolveHost(
  devices: DeviceRegistry,
  loc: HostLocator,
  target: { type: string; id: string },
): Promise<{ vc: VsphereClient; host: MoRef }> {
  const vcId = vcenterIdOf(loc, target);
  if (!vcId) throw new DeviceOperationError('no_vcenter', `host ${loc.hostId}: the command names no vCenter`);
  const vc = devices.vcenter(vcId);
  if (loc.hostMoref) return { vc, host: { type: 'HostSystem', value: loc.hostMoref } };
  for await (const page of vc.objects('HostSystem', ['hardware.systemInfo'])) {
    const hit = page.find((o) => serviceTagOf(o.props['hardware.systemInfo']) === loc.hostId);
    if (hit) return { vc, host: hit.obj };
  }
  throw new DeviceOperationError(
    'host_not_found',
    `no host with service tag ${loc.hostId} in vCenter ${vcId}`,
  );
}

export const HostRuntime = z.object({
  'runtime.connectionState': z.enum(['connected', 'disconnected', 'notResponding']),
  'runtime.inMaintenanceMode': vBool,
  'runtime.powerState': z.string().optional(),
  vm: vList(MoRefSchema).optional(),
});
export type HostRuntime = z.infer<typeof HostRuntime>;

export async function hostRuntime(vc: VsphereClient, host: MoRef): Promise<HostRuntime> {
  const o = await vc.properties(host, [
    'runtime.connectionState',
    'runtime.inMaintenanceMode',
    'runtime.powerState',
    'vm',
  ]);
  return parseProps(vc.device, `host ${host.value}`, HostRuntime, o.props);
}
