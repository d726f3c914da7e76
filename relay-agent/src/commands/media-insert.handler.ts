import { withoutUserinfo } from '@rackops/core/net/outbound-url';
import type { DeviceRegistry } from '../devices/device-registry';
import type { Outbound } from '../net/outbound';
import type { CommandHandler } from './command-context';

/**
 * media.insert — the same image already inserted → nothing; another image → eject it, then insert. The URL
 * passes the outbound guard before the iDRAC sees it; the share's login comes from the agent's config by name.
 * What the iDRAC reports back is echoed without user info (a device may put it there).
 */
export function createMediaInsertHandler(
  devices: DeviceRegistry,
  outbound: Outbound,
): CommandHandler<'media.insert'> {
  return async (params, ctx) => {
    await outbound.guard.check(params.image, 'virtual-media');
    const login = params.credentialsRef ? outbound.mediaLogin(params.credentialsRef) : undefined;
    const rf = devices.idrac(ctx.target.id);
    const vm = await rf.virtualMedia(params.device);
    if (vm.Inserted && vm.Image === params.image)
      return { inserted: true, image: withoutUserinfo(params.image), changed: false };
    if (vm.Inserted) await rf.ejectMedia(params.device);
    await rf.insertMedia(params.device, params.image, login);
    const after = await rf.virtualMedia(params.device);
    return {
      inserted: after.Inserted === true,
      image: withoutUserinfo(after.Image ?? params.image),
      changed: true,
    };
  };
}
