import { z } from 'zod';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import { VimFaultError } from '../vsphere/vim-faults';
import {
  defaultVmFolder,
  findRegisteredVm,
  networkByName,
  reconfigureNicsTask,
  registerVmTask,
  taskVm,
  toolsOf,
  unregisterVm,
  vmNics,
} from '../vsphere/vm-dr';
import type { VsphereClient } from '../vsphere/vsphere-client';
import type { CommandContext, CommandHandler } from './command-context';
import { parseProps } from './parse-props';
import { pollBackoff } from './poll-backoff';

const vmRef = (value: string): MoRef => ({ type: 'VirtualMachine', value });
const Power = z.object({
  'runtime.powerState': z.enum(['poweredOn', 'poweredOff', 'suspended']),
  'summary.config.vmPathName': z.string().max(1000).optional(),
});
const readVm = async (vc: VsphereClient, vm: MoRef) =>
  parseProps(
    vc.device,
    `vm ${vm.value}`,
    Power,
    (await vc.properties(vm, ['runtime.powerState', 'summary.config.vmPathName'])).props,
  );
const gone = (err: unknown) => err instanceof VimFaultError && err.faultType === 'ManagedObjectNotFound';
const wait = (ctx: CommandContext, timeoutSeconds: number) => ({
  timeoutMs: timeoutSeconds * 1000,
  pollMs: ctx.pollIntervalMs,
  signal: ctx.signal,
});

/**
 * vm.register — the VM registered from `vmxPath` (or with its instance UUID on that datastore) is looked
 * for first (or, given `vmMoref`, that VM): found, nothing is registered. A task started before a restart is waited for, not started again.
 */
export function createVmRegisterHandler(devices: DeviceRegistry): CommandHandler<'vm.register'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    if (p.vmMoref) {
      // A failback's original VM: it is used where it still exists (its name read back proves it does).
      const known = await vc
        .properties({ type: 'VirtualMachine', value: p.vmMoref }, ['name'])
        .catch(() => undefined);
      const name = known?.props.name;
      if (typeof name === 'string') return { vmMoref: p.vmMoref, name, registered: false };
    }
    const find = () => findRegisteredVm(vc, { vmxPath: p.vmxPath, instanceUuid: p.instanceUuid });
    const before = await find();
    if (before) return { vmMoref: before.vm.value, name: before.name, registered: false };
    let task = ctx.memo.get<MoRef>('registerTask');
    if (!task) {
      const folder = p.folderMoref ? { type: 'Folder', value: p.folderMoref } : await defaultVmFolder(vc);
      await ctx.progress(`registering ${p.vmxPath}`);
      task = await registerVmTask(vc, {
        folder,
        vmxPath: p.vmxPath,
        name: p.name,
        pool: { type: 'ResourcePool', value: p.resourcePoolMoref },
        host: p.hostMoref ? { type: 'HostSystem', value: p.hostMoref } : undefined,
      });
      ctx.memo.set('registerTask', task);
    }
    try {
      const vm = taskVm(vc, await vc.waitForTask(task, wait(ctx, p.timeoutSeconds)));
      const name = (await vc.properties(vm, ['name'])).props.name;
      return { vmMoref: vm.value, name: typeof name === 'string' ? name : (p.name ?? ''), registered: true };
    } catch (err) {
      // Someone (or our earlier attempt) registered it meanwhile: that registration is the answer.
      const after = await find();
      if (after) return { vmMoref: after.vm.value, name: after.name, registered: false };
      throw err;
    }
  };
}

/** vm.unregister — only the VM at `vmxPath` (the DR copy); powered off first; already gone is success. */
export function createVmUnregisterHandler(devices: DeviceRegistry): CommandHandler<'vm.unregister'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    const vm = vmRef(p.vmMoref);
    const state = await readVm(vc, vm).catch((err: unknown) => {
      if (gone(err)) return undefined;
      throw err;
    });
    if (!state) return { unregistered: false, poweredOff: false };
    if (state['summary.config.vmPathName'] !== p.vmxPath) {
      throw new DeviceOperationError(
        'not_dr_copy',
        `${vc.device} ${p.vmMoref} does not run from ${p.vmxPath}: refusing to unregister it`,
      );
    }
    let poweredOff = false;
    if (state['runtime.powerState'] !== 'poweredOff') {
      await ctx.progress(`powering off ${p.vmMoref} before unregistering`);
      await vc.waitForTask(await vc.powerOffVm(vm), wait(ctx, 300));
      poweredOff = true;
    }
    await unregisterVm(vc, vm).catch((err: unknown) => {
      if (!gone(err)) throw err;
    });
    return { unregistered: true, poweredOff };
  };
}

/** vm.reconfigure-network — every NIC onto `portGroup`; NICs already there are left alone. */
export function createVmReconfigureNetworkHandler(
  devices: DeviceRegistry,
): CommandHandler<'vm.reconfigure-network'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    const vm = vmRef(p.vmMoref);
    const nics = await vmNics(vc, vm);
    if (nics.length === 0)
      throw new DeviceOperationError('no_nic', `${vc.device} ${p.vmMoref} has no network adapter`);
    const todo = nics.filter((n) => n.backing.deviceName !== p.portGroup);
    if (todo.length === 0) return { portGroup: p.portGroup, changed: false };
    const network = await networkByName(vc, p.portGroup);
    if (!network)
      throw new DeviceOperationError('no_port_group', `${vc.device} has no port group ${p.portGroup}`);
    await ctx.progress(`${p.vmMoref}: ${todo.length} adapter(s) to ${p.portGroup}`);
    await vc.waitForTask(
      await reconfigureNicsTask(vc, vm, todo, { ref: network, name: p.portGroup }),
      wait(ctx, p.timeoutSeconds),
    );
    return { portGroup: p.portGroup, changed: true };
  };
}

/**
 * vm.guest-shutdown — asks the guest through VMware Tools, waits `timeoutSeconds` for it to go off, then
 * powers it off; without Tools it powers off at once. The result names which of these happened.
 */
export function createVmGuestShutdownHandler(devices: DeviceRegistry): CommandHandler<'vm.guest-shutdown'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    const vm = vmRef(p.vmMoref);
    const off = async () => (await readVm(vc, vm))['runtime.powerState'] === 'poweredOff';
    const result = (
      how: 'already-off' | 'guest-shutdown' | 'powered-off-after-timeout' | 'powered-off-no-tools',
    ) => ({ powerState: 'poweredOff', how, timeoutSeconds: p.timeoutSeconds }) as const;
    if (await off()) return result('already-off');
    const powerOff = async () => {
      if (!(await off())) await vc.waitForTask(await vc.powerOffVm(vm), wait(ctx, 300));
    };
    const asked = await vc.shutdownGuest(vm).then(
      () => true,
      (err: unknown) => {
        if (err instanceof VimFaultError && err.faultType === 'ToolsUnavailable') return false;
        throw err;
      },
    );
    if (!asked) {
      await ctx.progress(`${p.vmMoref}: VMware Tools not running, powering off`);
      await powerOff();
      return result('powered-off-no-tools');
    }
    const deadline = Date.now() + p.timeoutSeconds * 1000;
    const delay = pollBackoff(ctx.pollIntervalMs);
    while (Date.now() < deadline) {
      if (await off()) return result('guest-shutdown');
      await ctx.sleep(Math.min(delay(), Math.max(1, deadline - Date.now())));
    }
    if (await off()) return result('guest-shutdown');
    await ctx.progress(`${p.vmMoref}: guest still running after ${p.timeoutSeconds}s, powering off`);
    await powerOff();
    return result('powered-off-after-timeout');
  };
}

/** vm.tools-status — reads each VM's Tools; with `waitSeconds`, re-reads until all are ready or time is up. */
export function createVmToolsStatusHandler(devices: DeviceRegistry): CommandHandler<'vm.tools-status'> {
  return async (p, ctx) => {
    const vc = devices.vcenter(p.vcenterId);
    const started = Date.now();
    const deadline = started + p.waitSeconds * 1000;
    const delay = pollBackoff(ctx.pollIntervalMs);
    for (;;) {
      const vms = [];
      for (const moref of p.vmMorefs) {
        const t = await toolsOf(vc, vmRef(moref));
        vms.push({
          vmMoref: moref,
          toolsRunningStatus: t.toolsRunningStatus,
          heartbeat: t.heartbeat,
          ready: t.ready,
        });
      }
      const allReady = vms.every((v) => v.ready);
      if (allReady || Date.now() >= deadline) {
        return { vms, allReady, waitedSeconds: Math.round((Date.now() - started) / 100) / 10 };
      }
      await ctx.progress(`Tools ready on ${vms.filter((v) => v.ready).length}/${vms.length} VMs`);
      await ctx.sleep(Math.min(delay(), Math.max(1, deadline - Date.now())));
    }
  };
}
