import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceError } from '../http/errors';
import type { CommandHandler } from './command-context';
import { hostRuntime, resolveHost, vcenterIdOf } from './vsphere-host';

/** host.state — read-only: iDRAC reachability and power, plus vCenter connection and maintenance mode when known. */
export function createHostStateHandler(devices: DeviceRegistry): CommandHandler<'host.state'> {
  return async (params, ctx) => {
    let idracReachable = false;
    let powerState: string | undefined;
    if (ctx.target.type === 'idrac' || devices.has({ type: 'idrac', id: params.hostId })) {
      try {
        const sys = await devices.idrac(params.hostId).system();
        idracReachable = true;
        powerState = sys.PowerState ?? undefined;
      } catch (err) {
        if (!(err instanceof DeviceError) || !err.retryable) throw err;
      }
    }
    if (!vcenterIdOf(params, ctx.target))
      return { hostId: params.hostId, idracReachable, ...(powerState ? { powerState } : {}) };
    const { vc, host } = await resolveHost(devices, params, ctx.target);
    const rt = await hostRuntime(vc, host);
    return {
      hostId: params.hostId,
      idracReachable,
      ...(powerState ? { powerState } : {}),
      connectionState: rt['runtime.connectionState'],
      inMaintenanceMode: rt['runtime.inMaintenanceMode'],
    };
  };
}
