import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import type { CommandHandler } from './command-context';
import { dasSpec, readHa, sameHa } from './ha-settings';

/** cluster.ha-restore — reads the cluster first; already equal to the saved settings → nothing changes. */
export function createHaRestoreHandler(devices: DeviceRegistry): CommandHandler<'cluster.ha-restore'> {
  return async (params, ctx) => {
    const vc = devices.vcenter(params.vcenterId);
    const cluster: MoRef = { type: 'ClusterComputeResource', value: params.clusterMoref };
    const current = await readHa(vc, cluster);
    if (sameHa(current, params.settings))
      return { restored: current, alreadyRestored: !ctx.memo.get('task') };
    let task = ctx.memo.get<MoRef>('task');
    if (!task) {
      task = await vc.reconfigureDas(cluster, dasSpec(params.settings));
      ctx.memo.set('task', task);
    }
    await ctx.progress('restoring HA admission control');
    await vc.waitForTask(task, { timeoutMs: 600_000, pollMs: ctx.pollIntervalMs, signal: ctx.signal });
    // Read back: a restore that did not take (settings re-applied by something else) is a failure, said so.
    const after = await readHa(vc, cluster);
    if (!sameHa(after, params.settings))
      throw new DeviceOperationError(
        'ha_not_restored',
        `cluster ${params.clusterMoref}: the reconfigure task succeeded but HA reads back as admission control ${after.admissionControlEnabled ? 'on' : 'off'}, failover level ${after.failoverLevel}`,
      );
    return { restored: after, alreadyRestored: false };
  };
}
