import type { HaSettings } from '@rackops/core/inventory/inventory.schema';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import type { CommandHandler } from './command-context';
import { dasSpec, readHa } from './ha-settings';

/**
 * cluster.ha-relax — relaxes admission control (HA itself stays on, as vLCM does). The original
 * settings are read once and kept in the ledger, so a resumed command reports the real original,
 * not the already-relaxed state. Already relaxed → nothing changes.
 */
export function createHaRelaxHandler(devices: DeviceRegistry): CommandHandler<'cluster.ha-relax'> {
  return async (params, ctx) => {
    const vc = devices.vcenter(params.vcenterId);
    const cluster: MoRef = { type: 'ClusterComputeResource', value: params.clusterMoref };
    const current = await readHa(vc, cluster);
    const original = ctx.memo.get<HaSettings>('original') ?? current;
    ctx.memo.set('original', original);
    const relaxed: HaSettings = { ...original, admissionControlEnabled: false };
    if (!current.admissionControlEnabled) {
      return { original, relaxed: current, alreadyRelaxed: !ctx.memo.get('task') };
    }
    let task = ctx.memo.get<MoRef>('task');
    if (!task) {
      task = await vc.reconfigureDas(cluster, dasSpec(relaxed));
      ctx.memo.set('task', task);
    }
    await ctx.progress('relaxing HA admission control');
    await vc.waitForTask(task, { timeoutMs: 600_000, pollMs: ctx.pollIntervalMs, signal: ctx.signal });
    // The task's success is not the effect: read the settings back and fail if admission control is still on.
    const after = await readHa(vc, cluster);
    if (after.admissionControlEnabled)
      throw new DeviceOperationError(
        'ha_not_relaxed',
        `cluster ${params.clusterMoref}: the reconfigure task succeeded but admission control is still enabled`,
      );
    return { original, relaxed: after, alreadyRelaxed: false };
  };
}
