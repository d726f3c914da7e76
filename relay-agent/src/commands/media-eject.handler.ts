import type { DeviceRegistry } from '../devices/device-registry';
import type { CommandHandler } from './command-context';

/** media.eject — nothing inserted → nothing to do. */
export function createMediaEjectHandler(devices: DeviceRegistry): CommandHandler<'media.eject'> {
  return async (params, ctx) => {
    const rf = devices.idrac(ctx.target.id);
    const vm = await rf.virtualMedia(params.device);
    if (!vm.Inserted) return { inserted: false, changed: false };
    await rf.ejectMedia(params.device);
    return { inserted: (await rf.virtualMedia(params.device)).Inserted === true, changed: true };
  };
}
