import { serverParent } from '@rackops/core/inventory/sync-page.schema';
import type { InventoryPageInput } from '@rackops/core/inventory/sync-page.schema';
import type { DeviceRegistry } from '../devices/device-registry';
import { toFirmwareComponent } from '../redfish/firmware-map';
import type { CommandHandler } from './command-context';

/**
 * inventory.idrac — read-only, so trivially convergent: every run reads the system and its
 * installed firmware afresh; streams one page (server + its firmware) and returns the same data. With
 * `ingest: false` the page is not streamed (the preflight decides from the answer; the inventory is refreshed
 * by the verify read after each update and by scheduled syncs).
 */
export function createInventoryIdracHandler(devices: DeviceRegistry): CommandHandler<'inventory.idrac'> {
  return async (params, ctx) => {
    const hostId = ctx.target.id;
    const rf = devices.idrac(hostId);
    const sys = await rf.system();
    const firmware = (await rf.firmwareInventory()).map(toFirmwareComponent);
    const warnings: string[] = [];
    const tag = sys.SKU ?? hostId;
    if (tag !== hostId) warnings.push(`iDRAC reports service tag ${tag}, configured as ${hostId}`);
    const server = {
      serviceTag: hostId,
      model: sys.Model ?? 'unknown',
      ...(sys.Oem?.Dell?.DellSystem?.SystemID === undefined
        ? {}
        : { systemId: sys.Oem.Dell.DellSystem.SystemID }),
      idracId: hostId,
      idracAddress: new URL(rf.baseUrl).host,
      ...(sys.PowerState ? { powerState: sys.PowerState } : {}),
      ...(sys.BiosVersion ? { biosVersion: sys.BiosVersion } : {}),
      ...(sys.Status?.Health ? { health: sys.Status.Health } : {}),
      source: 'idrac' as const,
      ...(sys.SerialNumber ? { serialNumber: sys.SerialNumber } : {}),
    };
    const page: InventoryPageInput = {
      v: 1,
      source: 'idrac',
      sourceId: hostId,
      runId: ctx.commandId,
      seq: 0,
      last: true,
      groups: [
        { type: 'server', parent: serverParent('idrac', hostId), items: [server] },
        { type: 'firmware', parent: hostId, items: firmware },
      ],
      warnings,
    };
    await ctx.progress(
      `read ${firmware.length} firmware components`,
      params.ingest ? { percent: 100, page } : { percent: 100 },
    );
    return { server, firmware, warnings };
  };
}
