import type { DeviceRegistry } from '../devices/device-registry';
import type { CommandHandler } from './command-context';

const OFF_ACTIONS = new Set(['ForceOff', 'GracefulShutdown']);

/**
 * host.power — On/off actions compare with the current PowerState and act only if it differs.
 * Restarts and pulses always act, but only once per command id: the ledger remembers that the reset
 * was sent, so a redelivered restart does not restart the server a second time.
 */
export function createHostPowerHandler(devices: DeviceRegistry): CommandHandler<'host.power'> {
  return async (params, ctx) => {
    const rf = devices.idrac(ctx.target.id);
    const before = (await rf.system()).PowerState ?? 'Unknown';
    if (params.action === 'On' && before === 'On') return { powerState: before, changed: false };
    if (OFF_ACTIONS.has(params.action) && before === 'Off') return { powerState: before, changed: false };
    if (ctx.memo.get('sent')) return { powerState: before, changed: true };
    await rf.resetSystem(params.action);
    ctx.memo.set('sent', true);
    return { powerState: (await rf.system()).PowerState ?? 'Unknown', changed: true };
  };
}
