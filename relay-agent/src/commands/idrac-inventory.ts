import { serverParent } from '@rackops/core/inventory/sync-page.schema';
import type { InventoryPageInput } from '@rackops/core/inventory/sync-page.schema';
import { toFirmwareComponent } from '../redfish/firmware-map';
import type { RedfishClient } from '../redfish/redfish-client';

/**
 * One iDRAC's server record and installed firmware, read afresh, and the inventory page that carries them
 * (streamed as progress when the read is to be ingested).
 */
export async function readIdracInventory(rf: RedfishClient, hostId: string, runId: string) {
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
    ...(sys.Status?.Health ? { health: sys.Status.Health } : {}),
    source: 'idrac' as const,
    ...(sys.SerialNumber ? { serialNumber: sys.SerialNumber } : {}),
  };
  const page: InventoryPageInput = {
    v: 1,
    source: 'idrac',
    sourceId: hostId,
    runId,
    seq: 0,
    last: true,
    groups: [
      { type: 'server', parent: serverParent('idrac', hostId), items: [server] },
      { type: 'firmware', parent: hostId, items: firmware },
    ],
    warnings,
  };
  return { server, firmware, warnings, page };
}
