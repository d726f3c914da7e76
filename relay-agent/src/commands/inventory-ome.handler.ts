import type { FirmwareComponent } from '@rackops/core/inventory/inventory.schema';
import { type PageServer, serverParent } from '@rackops/core/inventory/sync-page.schema';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceError } from '../http/errors';
import type { OmeDevice, OmeSoftware } from '../ome/ome.schemas';
import type { CommandHandler } from './command-context';
import { createPageWriter } from './page-writer';
import { pciIds } from '@rackops/core/inventory/pci-ids';

const SERVER_TYPE = 1000;
const POWER: Record<number, string> = { 17: 'On', 18: 'Off', 20: 'PoweringOn', 21: 'PoweringOff' };
const HEALTH: Record<number, string> = {
  1000: 'OK',
  2000: 'Unknown',
  3000: 'Warning',
  4000: 'Critical',
  5000: 'Unknown',
};

/**
 * inventory.ome — read-only: every server OME manages (paged via @odata.nextLink) and its firmware,
 * with the SystemId OME lists for each (compliance matches the catalog by it, so a sync alone suffices).
 * All servers of this OME form one group (ingestion computes "gone" per group); firmware is one
 * group per service tag. A device whose firmware cannot be read becomes a warning.
 */
export function createInventoryOmeHandler(devices: DeviceRegistry): CommandHandler<'inventory.ome'> {
  return async (params, ctx) => {
    const omeId = ctx.target.id;
    const ome = devices.ome(omeId);
    const warnings: string[] = [];
    const servers: { dev: OmeDevice; server: PageServer }[] = [];
    let untagged = 0;
    for await (const page of ome.devices(params.pageSize)) {
      for (const dev of page) {
        if (dev.Type !== undefined && dev.Type !== SERVER_TYPE) continue;
        const tag = dev.DeviceServiceTag ?? dev.Identifier;
        if (!tag) {
          warnings.push(`OME device ${dev.Id} has no service tag`);
          untagged++;
          continue;
        }
        const address = dev.DeviceManagement?.find((m) => m.NetworkAddress)?.NetworkAddress ?? undefined;
        servers.push({
          dev,
          server: {
            serviceTag: tag,
            model: dev.Model ?? 'unknown',
            ...(dev.SystemId != null ? { systemId: dev.SystemId } : {}),
            idracId: tag,
            ...(address ? { idracAddress: address } : {}),
            ...(dev.PowerState != null && POWER[dev.PowerState] ? { powerState: POWER[dev.PowerState] } : {}),
            ...(dev.Status != null && HEALTH[dev.Status] ? { health: HEALTH[dev.Status] } : {}),
            source: 'ome',
          },
        });
      }
      await ctx.progress(`listed ${servers.length} servers`);
    }
    // The fleet's size as OME lists it, for the drop guard; a server without a tag may be one stored under its
    // tag, so the list is incomplete and marks nothing gone.
    const out = createPageWriter(ctx, 'ome', omeId, params.pageSize, { server: servers.length + untagged });
    await out.add(
      'server',
      serverParent('ome', omeId),
      servers.map((s) => s.server),
      untagged === 0,
    );
    for (const { dev, server } of servers) {
      try {
        const sw = await ome.firmware(dev.Id);
        await out.add(
          'firmware',
          server.serviceTag,
          sw.filter((s) => s.SoftwareType !== 'APPLICATION').map((s, i) => toComponent(s, i)),
        );
      } catch (err) {
        if (!(err instanceof DeviceError)) throw err;
        warnings.push(`${server.serviceTag}: firmware not readable (${err.code})`);
      }
    }
    const { pages, counts } = await out.finish(warnings);
    return { pages, counts, warnings };
  };
}

function toComponent(s: OmeSoftware, i: number): FirmwareComponent {
  const softwareId = s.ComponentId == null ? '0' : String(s.ComponentId);
  const pci = pciIds({
    vendorId: s.VendorId,
    deviceId: s.PciDeviceId,
    subVendorId: s.SubVendorId,
    subDeviceId: s.SubDeviceId,
  });
  return {
    id: s.InstanceId ?? `ome-${softwareId}-${i}`,
    name: s.DeviceDescription ?? `component ${softwareId}`,
    version: s.Version,
    softwareId,
    ...(pci ? { pci } : {}),
    updateable: true,
  };
}
