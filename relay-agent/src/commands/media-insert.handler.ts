import type { DeviceRegistry } from '../devices/device-registry';
import type { CommandHandler } from './command-context';

/** media.insert — the same image already inserted → nothing; another image → eject it, then insert. */
export function createMediaInsertHandler(devices: DeviceRegistry): CommandHandler<'media.insert'> {
  return async (params, ctx) => {
    const rf = devices.idrac(ctx.target.id);
    const vm = await rf.virtualMedia(params.device);
    if (vm.Inserted && vm.Image === params.image)
      return { inserted: true, image: params.image, changed: false };
    if (vm.Inserted) await rf.ejectMedia(params.device);
    await rf.insertMedia(params.device, params.image);
    const after = await rf.virtualMedia(params.device);
    return { inserted: after.Inserted === true, image: after.Image ?? params.image, changed: true };
  };
}
