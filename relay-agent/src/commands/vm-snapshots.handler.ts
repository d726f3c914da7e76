import type { CommandParamsOf } from '@rackops/core/relay/commands';
import { VmSnapshotCommandParams } from '@rackops/core/relay/vm-snapshot-commands';
import { RackOpsError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { z } from 'zod';
import type { DeviceRegistry } from '../devices/device-registry';
import { DeviceOperationError } from '../http/errors';
import type { MoRef } from '../vsphere/vim-decode';
import { isVcsa } from '../vsphere/vm-devices';
import { createSnapshotTask, removeSnapshotTask } from '../vsphere/vm-snapshot-tasks';
import { MoRef as MoRefSchema, vList } from '../vsphere/vim-zod';
import { VimFaultError, type VsphereClient } from '../vsphere/vsphere-client';
import type { CommandContext, CommandHandler } from './command-context';
import { parseProps } from './parse-props';

interface Tree {
  snapshot: MoRef;
  name: string;
  childSnapshotList: Tree[];
}
const TreeSchema: z.ZodType<Tree> = z.lazy(() =>
  z.object({ snapshot: MoRefSchema, name: z.string(), childSnapshotList: vList(TreeSchema).default([]) }),
);
const SnapshotProps = z.object({
  name: z.string().optional(),
  snapshot: z.object({ rootSnapshotList: vList(TreeSchema) }).optional(),
});

/** A quiesce waits for the guest's writers; ten minutes is a stuck VMware Tools, not a busy guest. */
const SNAPSHOT_TASK_MS = 600_000;

const vmRef = (moref: string): MoRef => ({ type: 'VirtualMachine', value: moref });

/**
 * VMs handled at once: a quiesce stuns its VM for seconds, and one VM after the other would stretch a large
 * group's window (and age its first snapshot) by minutes; vCenter runs a few snapshot tasks side by side.
 */
const PARALLEL_VMS = 4;

/**
 * Runs `work` for each VM, a few at a time. A failure stops new VMs from starting but waits for those in
 * flight: the command must not answer (and the workflow start removing snapshots) while a create still runs.
 */
async function eachVm(vms: readonly string[], work: (vm: string) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    for (let i = next++; i < vms.length && !failure; i = next++) {
      try {
        await work(vms[i] as string);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_VMS, vms.length) }, worker));
  if (failure) throw failure.err;
}

/** Results in the members' order, whatever order the VMs finished in. */
const inOrder = <T extends { vm: string }>(vms: readonly string[], xs: T[]) =>
  [...xs].sort((a, b) => vms.indexOf(a.vm) - vms.indexOf(b.vm));

/** The VM's display name and its snapshots named `name` (a retried create may have left two). */
async function snapshotsNamed(vc: VsphereClient, vm: string, name: string) {
  const props = (await vc.properties(vmRef(vm), ['name', 'snapshot'])).props;
  const p = parseProps(vc.device, `vm ${vm} snapshots`, SnapshotProps, props);
  const out: MoRef[] = [];
  const walk = (ts: Tree[]) => {
    for (const t of ts) {
      if (t.name === name) out.push(t.snapshot);
      walk(t.childSnapshotList);
    }
  };
  walk(p.snapshot?.rootSnapshotList ?? []);
  return { vmName: p.name, snapshots: out };
}

const VmIdentity = z.object({
  name: z.string().optional(),
  'summary.config.product': z.looseObject({ name: z.string().optional() }).optional(),
});

interface Members {
  vms: string[];
  skipped: { vm: string; vmName?: string; reason: string }[];
}

/**
 * The group's VMs: the morefs given, or every VM on the datastore as vCenter lists it now — less vCenter's
 * own appliance, recognised as the inventory does (its OVF product "VMware vCenter Server Appliance", or a
 * `vcsa…`/`vcenter…` name): quiescing it would stun the vCenter running the snapshot tasks. Named VMs are
 * taken as given, since an operator added each one on purpose.
 */
async function membersOf(vc: VsphereClient, p: CommandParamsOf<'vm.quiesce-snapshot'>): Promise<Members> {
  if (p.vms) return { vms: p.vms, skipped: [] };
  const wanted = (p.datastore ?? '').toLowerCase();
  const DsProps = z.object({ name: z.string(), vm: vList(MoRefSchema).default([]) });
  for await (const page of vc.objects('Datastore', ['name', 'vm'])) {
    for (const o of page) {
      const ds = DsProps.safeParse(o.props);
      if (!ds.success || ds.data.name.toLowerCase() !== wanted) continue;
      const out: Members = { vms: [], skipped: [] };
      for (const { value: vm } of ds.data.vm) {
        const props = await vc.properties(vmRef(vm), ['name', 'summary.config.product']).catch((err) => {
          if (gone(err)) return undefined;
          throw err;
        });
        const id = props ? VmIdentity.safeParse(props.props) : undefined;
        const name = id?.success ? id.data.name : undefined;
        if (id?.success && name && isVcsa(name, id.data['summary.config.product']?.name))
          out.skipped.push({ vm, vmName: name, reason: "vCenter's own appliance: never quiesced" });
        else out.vms.push(vm);
      }
      return out;
    }
  }
  throw new RackOpsError('not_found', `datastore ${p.datastore} is not on vCenter ${p.vcenterId}`);
}

const gone = (err: unknown) => err instanceof VimFaultError && err.faultType === 'ManagedObjectNotFound';
/** What vCenter said about one VM's task (a fault on the call or the task's error), for the result. */
const vmFailure = (err: unknown) =>
  err instanceof VimFaultError || err instanceof DeviceOperationError ? err.message : undefined;

const wait = (vc: VsphereClient, task: MoRef, ctx: CommandContext) =>
  vc.waitForTask(task, { timeoutMs: SNAPSHOT_TASK_MS, pollMs: ctx.pollIntervalMs, signal: ctx.signal });

/**
 * vm.quiesce-snapshot — one quiesced (memory-less) snapshot per VM, named by the run. A VM that already has it
 * (a redelivered command) is not snapshotted twice; a VM whose quiesce fails is named in `failed` with
 * vCenter's reason, and the others go on. Only a failure of vCenter itself (unreachable, a bad answer) fails
 * the command; the workflow then removes whatever was taken, by name.
 */
export function createVmQuiesceSnapshotHandler(
  devices: DeviceRegistry,
): CommandHandler<'vm.quiesce-snapshot'> {
  return async (raw, ctx) => {
    const params = parseOrThrow(
      VmSnapshotCommandParams['vm.quiesce-snapshot'],
      raw,
      'vm.quiesce-snapshot params',
    );
    const vc = devices.vcenter(params.vcenterId);
    const { vms, skipped } = await membersOf(vc, params);
    const taken: { vm: string; snapshot: string; created: boolean }[] = [];
    const failed: { vm: string; vmName?: string; reason: string }[] = [];
    await eachVm(vms, async (vm) => {
      let vmName: string | undefined;
      try {
        const have = await snapshotsNamed(vc, vm, params.name);
        vmName = have.vmName;
        const first = have.snapshots[0];
        if (first) {
          taken.push({ vm, snapshot: first.value, created: false });
          return;
        }
        await ctx.progress(`quiescing ${vmName ?? vm} (${taken.length + failed.length + 1}/${vms.length})`);
        const task = await createSnapshotTask(vc, vmRef(vm), {
          name: params.name,
          description: 'RackOps: quiesced for a ZFS snapshot; removed right after',
          memory: false,
          quiesce: true,
        });
        const result = MoRefSchema.safeParse(await wait(vc, task, ctx));
        taken.push({ vm, snapshot: result.success ? result.data.value : 'unknown', created: true });
      } catch (err) {
        const reason = gone(err) ? 'the VM is no longer in vCenter' : vmFailure(err);
        if (reason === undefined) throw err;
        failed.push({ vm, ...(vmName ? { vmName } : {}), reason: reason.slice(0, 500) });
      }
    });
    return { vms, taken: inOrder(vms, taken), failed: inOrder(vms, failed), skipped };
  };
}

/**
 * vm.remove-snapshots — every snapshot with the run's name removed from the group's VMs (its changes
 * consolidated into the disk), whatever the earlier steps did. Each VM is tried; any snapshot left fails
 * the command naming the VMs, since a forgotten snapshot grows until its datastore fills.
 */
export function createVmRemoveSnapshotsHandler(
  devices: DeviceRegistry,
): CommandHandler<'vm.remove-snapshots'> {
  return async (raw, ctx) => {
    const params = parseOrThrow(
      VmSnapshotCommandParams['vm.remove-snapshots'],
      raw,
      'vm.remove-snapshots params',
    );
    const vc = devices.vcenter(params.vcenterId);
    const { vms } = await membersOf(vc, params);
    const removed: { vm: string; snapshot: string }[] = [];
    const left: string[] = [];
    await eachVm(vms, async (vm) => {
      try {
        const { snapshots } = await snapshotsNamed(vc, vm, params.name);
        for (const s of snapshots) {
          await wait(vc, await removeSnapshotTask(vc, s), ctx);
          removed.push({ vm, snapshot: s.value });
        }
      } catch (err) {
        if (gone(err)) return;
        const reason = vmFailure(err);
        if (reason === undefined) throw err;
        left.push(`${vm}: ${reason}`);
      }
    });
    if (left.length > 0)
      throw new RackOpsError(
        'vm_snapshot_left',
        `VMware snapshot ${params.name} could not be removed from ${left.join('; ').slice(0, 800)}: remove it by hand`,
      );
    return { removed: inOrder(vms, removed) };
  };
}
