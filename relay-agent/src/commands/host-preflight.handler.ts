import type { DeviceRegistry } from '../devices/device-registry';
import type { CommandHandler } from './command-context';
import { createHostStateHandler } from './host-state.handler';
import { createInventoryIdracHandler } from './inventory-idrac.handler';
import { createLcStatusHandler } from './lc-status.handler';

/**
 * host.preflight — read-only: host state, Lifecycle Controller status and the firmware inventory, read at once
 * (one command instead of three round trips through the queues). The inventory is not ingested: the preflight
 * decides from the answer. Any read failing fails the command, as the first failing read did before.
 */
export function createHostPreflightHandler(devices: DeviceRegistry): CommandHandler<'host.preflight'> {
  const hostState = createHostStateHandler(devices);
  const lc = createLcStatusHandler(devices);
  const inventory = createInventoryIdracHandler(devices);
  return async (params, ctx) => {
    const [s, l, fw] = await Promise.all([
      hostState(params, ctx),
      lc({}, ctx),
      inventory({ ingest: false }, ctx),
    ]);
    return { hostState: s, lc: l, fw };
  };
}
