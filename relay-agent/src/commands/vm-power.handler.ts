import { z } from 'zod';
import type { DeviceRegistry } from '../devices/device-registry';
import type { MoRef } from '../vsphere/vim-decode';
import type { VsphereClient } from '../vsphere/vsphere-client';
import type { CommandHandler } from './command-context';
import { pollBackoff } from './poll-backoff';
import { parseProps } from './parse-props';

const Runtime = z.object({ 'runtime.powerState': z.enum(['poweredOn', 'poweredOff', 'suspended']) });
const powerOf = async (vc: VsphereClient, vm: MoRef) =>
  parseProps(vc.device, `vm ${vm.value}`, Runtime, (await vc.properties(vm, ['runtime.powerState'])).props)[
    'runtime.powerState'
  ];

/**
 * vm.power — reads runtime.powerState first; already there → nothing. Off: guest shutdown first
 * (when graceful), hard power-off only after `timeoutSeconds`. Re-running is harmless: each step
 * re-reads the state before acting.
 */
export function createVmPowerHandler(devices: DeviceRegistry): CommandHandler<'vm.power'> {
  return async (params, ctx) => {
    const vc = devices.vcenter(params.vcenterId);
    const vm: MoRef = { type: 'VirtualMachine', value: params.vmMoref };
    const want = params.state === 'on' ? 'poweredOn' : 'poweredOff';
    if ((await powerOf(vc, vm)) === want) return { powerState: want, changed: false };
    if (params.state === 'on') {
      await vc.waitForTask(await vc.powerOnVm(vm), {
        timeoutMs: params.timeoutSeconds * 1000,
        pollMs: ctx.pollIntervalMs,
        signal: ctx.signal,
      });
      return { powerState: await powerOf(vc, vm), changed: true };
    }
    if (params.graceful) {
      await ctx.progress(`guest shutdown of ${params.vmMoref}`);
      await vc
        .shutdownGuest(vm)
        .catch((err: Error) => ctx.log.warn({ err: err.message }, 'guest shutdown refused; will power off'));
      const deadline = Date.now() + params.timeoutSeconds * 1000;
      const delay = pollBackoff(ctx.pollIntervalMs);
      while (Date.now() < deadline) {
        if ((await powerOf(vc, vm)) === 'poweredOff') return { powerState: 'poweredOff', changed: true };
        await ctx.sleep(delay());
      }
      await ctx.progress(`guest shutdown timed out after ${params.timeoutSeconds}s: powering off`);
    }
    if ((await powerOf(vc, vm)) !== 'poweredOff') {
      await vc.waitForTask(await vc.powerOffVm(vm), {
        timeoutMs: 300_000,
        pollMs: ctx.pollIntervalMs,
        signal: ctx.signal,
      });
    }
    return { powerState: await powerOf(vc, vm), changed: true };
  };
}
