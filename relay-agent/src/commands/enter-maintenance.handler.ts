import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import type { CommandHandler } from './command-context';
import { hostRuntime, resolveHost } from './vsphere-host';

/**
 * host.enter-maintenance — reads runtime.inMaintenanceMode first: already in → nothing is done.
 * The EnterMaintenanceMode_Task moref is kept in the ledger, so a resumed command waits for the
 * task it started instead of starting another; taken over from another agent, it waits on that agent's task if
 * vCenter still runs one. DRS evacuates; vCenter enforces `timeoutSeconds`.
 */
export function createEnterMaintenanceHandler(
  devices: DeviceRegistry,
): CommandHandler<'host.enter-maintenance'> {
  return async (params, ctx) => {
    const { vc, host } = await resolveHost(devices, params, ctx.target);
    const before = await hostRuntime(vc, host);
    if (before['runtime.inMaintenanceMode']) {
      return {
        inMaintenanceMode: true,
        evacuatedVms: ctx.memo.get<number>('vmsBefore') ?? 0,
        alreadyInMaintenance: !ctx.memo.get('task'),
      };
    }
    let task = ctx.memo.get<MoRef>('task');
    if (!task && ctx.takenOver) {
      // The agent that died may have started the task: vCenter refuses a second one while it runs; wait on it.
      task = (await vc.activeTasks(host, 'HostSystem.enterMaintenanceMode'))[0];
      if (task) {
        ctx.log.warn({ task: task.value }, 'taken over: waiting on the maintenance task already running');
        ctx.memo.set('vmsBefore', before.vm?.length ?? 0);
        ctx.memo.set('task', task);
      }
    }
    if (!task) {
      ctx.memo.set('vmsBefore', before.vm?.length ?? 0);
      task = await vc.enterMaintenanceMode(host, params.timeoutSeconds, params.evacuatePoweredOffVms);
      ctx.memo.set('task', task);
    }
    await ctx.progress('entering maintenance mode (DRS evacuating VMs)');
    await vc.waitForTask(task, {
      timeoutMs: (params.timeoutSeconds + 60) * 1000,
      pollMs: ctx.pollIntervalMs,
      signal: ctx.signal,
      onProgress: (p) =>
        ctx.progress('entering maintenance mode', p === undefined ? undefined : { percent: p }),
    });
    // Read back what is true: the VMs that actually left, and those still registered here (powered-off VMs
    // stay unless evacuatePoweredOffVms; a VM vCenter could not move stays too).
    const after = await hostRuntime(vc, host);
    if (!after['runtime.inMaintenanceMode'])
      throw new DeviceOperationError(
        'maintenance_not_entered',
        `host ${params.hostId}: the task ended but the host is not in maintenance mode`,
      );
    const vmsBefore = ctx.memo.get<number>('vmsBefore') ?? 0;
    const left = (after.vm ?? []).map((v) => v.value);
    return {
      inMaintenanceMode: true,
      evacuatedVms: Math.max(0, vmsBefore - left.length),
      vmsLeft: left,
      alreadyInMaintenance: false,
    };
  };
}
