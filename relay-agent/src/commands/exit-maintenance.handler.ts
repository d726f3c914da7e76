import type { DeviceRegistry } from '../devices/device-registry';
import type { MoRef } from '../vsphere/vim-decode';
import type { CommandHandler } from './command-context';
import { hostRuntime, resolveHost } from './vsphere-host';

/**
 * host.exit-maintenance — already out → nothing; else one ExitMaintenanceMode_Task, remembered in the ledger
 * (taken over from another agent: its task, if vCenter still runs one).
 */
export function createExitMaintenanceHandler(
  devices: DeviceRegistry,
): CommandHandler<'host.exit-maintenance'> {
  return async (params, ctx) => {
    const { vc, host } = await resolveHost(devices, params, ctx.target);
    const rt = await hostRuntime(vc, host);
    if (!rt['runtime.inMaintenanceMode'])
      return { inMaintenanceMode: false, alreadyOut: !ctx.memo.get('task') };
    let task = ctx.memo.get<MoRef>('task');
    if (!task && ctx.takenOver) {
      // As enter-maintenance: the agent that died may have started the task already.
      task = (await vc.activeTasks(host, 'HostSystem.exitMaintenanceMode'))[0];
      if (task) ctx.memo.set('task', task);
    }
    if (!task) {
      task = await vc.exitMaintenanceMode(host, params.timeoutSeconds);
      ctx.memo.set('task', task);
    }
    await ctx.progress('exiting maintenance mode');
    await vc.waitForTask(task, {
      timeoutMs: (params.timeoutSeconds + 60) * 1000,
      pollMs: ctx.pollIntervalMs,
      signal: ctx.signal,
    });
    return { inMaintenanceMode: false, alreadyOut: false };
  };
}
