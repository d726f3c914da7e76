import type { DeviceRegistry } from '../devices/device-registry';
import type { CommandHandler } from './command-context';
import { readIdracInventory } from './idrac-inventory';

/**
 * inventory.idrac — read-only, so trivially convergent: every run reads the system and its
 * installed firmware afresh; streams one page (server + its firmware) and returns the same data. With
 * `ingest: false` the page is not streamed (the preflight decides from the answer; the inventory is refreshed
 * by the read after each update and by scheduled syncs).
 */
export function createInventoryIdracHandler(devices: DeviceRegistry): CommandHandler<'inventory.idrac'> {
  return async (params, ctx) => {
    const hostId = ctx.target.id;
    const { server, firmware, warnings, page } = await readIdracInventory(
      devices.idrac(hostId),
      hostId,
      ctx.commandId,
    );
    await ctx.progress(
      `read ${firmware.length} firmware components`,
      params.ingest ? { percent: 100, page } : { percent: 100 },
    );
    return { server, firmware, warnings };
  };
}
