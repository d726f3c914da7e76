import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceTimeoutError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import type { CommandHandler } from './command-context';
import { pollBackoff } from './poll-backoff';
import { hostRuntime, resolveHost } from './vsphere-host';

/**
 * host.exit-maintenance — already out → nothing; else one ExitMaintenanceMode_Task, remembered in the ledger
 * (taken over from another agent: its task, if vCenter still runs one).
 * A host that has just rebooted (an SCP restore's import) is `notResponding` to vCenter for a while, and vCenter
 * refuses the exit until it reconnects: wait for that first, within the command's timeout.
 */
export function createExitMaintenanceHandler(
  devices: DeviceRegistry,
): CommandHandler<'host.exit-maintenance'> {
  return async (params, ctx) => {
    const { vc, host } = await resolveHost(devices, params, ctx.target);
    let rt = await hostRuntime(vc, host);
    if (!rt['runtime.inMaintenanceMode'])
      return { inMaintenanceMode: false, alreadyOut: !ctx.memo.get('task') };
    let task = ctx.memo.get<MoRef>('task');
    if (!task && ctx.takenOver) {
      // As enter-maintenance: the agent that died may have started the task already.
      task = (await vc.activeTasks(host, 'HostSystem.exitMaintenanceMode'))[0];
      if (task) ctx.memo.set('task', task);
    }
    if (!task) {
      const timeoutMs = params.timeoutSeconds * 1000;
      const deadline = Date.now() + timeoutMs;
      const delay = pollBackoff(ctx.pollIntervalMs);
      while (rt['runtime.connectionState'] !== 'connected') {
        if (Date.now() > deadline)
          throw new DeviceTimeoutError(`${vc.device} host ${params.hostId} reconnecting`, timeoutMs);
        await ctx.progress(`waiting for the host to reconnect to vCenter (${rt['runtime.connectionState']})`);
        await ctx.sleep(delay());
        rt = await hostRuntime(vc, host);
      }
      if (!rt['runtime.inMaintenanceMode']) return { inMaintenanceMode: false, alreadyOut: true };
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
