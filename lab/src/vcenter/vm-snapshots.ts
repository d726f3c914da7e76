import type { World } from '../world/world';
import type { VmSnapshotState, VmState } from '../world/types';
import { fromGetters, type ManagedObject } from './model/managed-object';
import { optionalText, readBool, readThis } from './soap/decode';
import { invalidArgument, managedObjectNotFound, VimFaultError } from './soap/faults';
import { type Handler, taskAnswer, type VimService } from './soap-service';
import { bool, dateTime, en, int, mor, morArray, obj, str, type Vim } from './soap/vim-value';
import type { VcTask } from './tasks';

/** How long a snapshot takes (lab time): a quiesce waits for the guest's writers to flush. */
export const VM_SNAPSHOT_DURATIONS = { create: 2_000, quiesce: 3_000, remove: 2_000 } as const;

let nextId = 1;

function tree(vm: VmState, parent: string | undefined): Vim[] {
  return (vm.snapshots ?? [])
    .filter((s) => s.parent === parent)
    .map((s) =>
      obj('VirtualMachineSnapshotTree', {
        snapshot: mor('VirtualMachineSnapshot', s.moref),
        vm: mor('VirtualMachine', vm.moref),
        name: str(s.name),
        description: str(s.description),
        id: int(s.id),
        createTime: dateTime(s.createTime),
        state: en('VirtualMachinePowerState', vm.powerState),
        quiesced: bool(s.quiesced),
        replaySupported: bool(false),
        childSnapshotList: tree(vm, s.moref),
      }),
    );
}

/** `VirtualMachine.snapshot`: unset while the VM has none, as vCenter leaves it. */
export function vmSnapshotInfo(vm: VmState): Vim | undefined {
  if (!vm.snapshots?.length || !vm.currentSnapshot) return undefined;
  return obj('VirtualMachineSnapshotInfo', {
    currentSnapshot: mor('VirtualMachineSnapshot', vm.currentSnapshot),
    rootSnapshotList: tree(vm, undefined),
  });
}

export function vmRootSnapshots(vm: VmState): Vim {
  return morArray(
    (vm.snapshots ?? []).filter((s) => !s.parent).map((s) => mor('VirtualMachineSnapshot', s.moref)),
  );
}

/** The VM holding a snapshot, among this vCenter's VMs. */
export function vmOfSnapshot(world: World, vcenterId: string, moref: string): VmState | undefined {
  for (const vm of world.vms.values())
    if (vm.vcenterId === vcenterId && vm.snapshots?.some((s) => s.moref === moref)) return vm;
  return undefined;
}

export function snapshotObject(vm: VmState, snap: VmSnapshotState): ManagedObject {
  return fromGetters(
    { type: 'VirtualMachineSnapshot', value: snap.moref },
    {
      vm: () => mor('VirtualMachine', vm.moref),
      childSnapshot: () =>
        morArray(
          (vm.snapshots ?? [])
            .filter((s) => s.parent === snap.moref)
            .map((s) => mor('VirtualMachineSnapshot', s.moref)),
        ),
    },
  );
}

/**
 * CreateSnapshot_Task. A quiesced snapshot of a running VM asks VMware Tools to flush the guest first; the
 * host fault `vmQuiesceFails` makes that fail as vCenter reports it (ApplicationQuiesceFault), with no
 * snapshot left behind. Memory snapshots are accepted and not simulated.
 */
export async function runCreateSnapshot(
  world: World,
  vm: VmState,
  task: VcTask,
  spec: { name: string; description: string; quiesce: boolean },
): Promise<void> {
  const clock = world.clock;
  task.start(clock.now());
  if (spec.name.length === 0 || spec.name.length > 80) return task.fail(clock.now(), invalidArgument('name'));
  const quiesce = spec.quiesce && vm.powerState === 'poweredOn';
  await clock.sleep(quiesce ? VM_SNAPSHOT_DURATIONS.quiesce : VM_SNAPSHOT_DURATIONS.create);
  if (world.isStopped) return;
  if (quiesce && world.faults.get(vm.hostId).vmQuiesceFails)
    return task.fail(
      clock.now(),
      new VimFaultError(
        'ApplicationQuiesceFault',
        `An error occurred while quiescing the virtual machine ${vm.name}. See the virtual machine's event log for details.`,
      ),
    );
  const id = nextId++;
  const snap: VmSnapshotState = {
    moref: `snapshot-${id}`,
    id,
    name: spec.name,
    description: spec.description,
    createTime: clock.now().toISOString(),
    quiesced: quiesce,
    ...(vm.currentSnapshot ? { parent: vm.currentSnapshot } : {}),
  };
  vm.snapshots = [...(vm.snapshots ?? []), snap];
  vm.currentSnapshot = snap.moref;
  task.succeed(clock.now(), mor('VirtualMachineSnapshot', snap.moref));
}

/** RemoveSnapshot_Task: the snapshot's changes are consolidated; its children go to its parent. */
export async function runRemoveSnapshot(
  world: World,
  vm: VmState,
  moref: string,
  removeChildren: boolean,
  task: VcTask,
): Promise<void> {
  const clock = world.clock;
  task.start(clock.now());
  await clock.sleep(VM_SNAPSHOT_DURATIONS.remove);
  if (world.isStopped) return;
  const all = vm.snapshots ?? [];
  const snap = all.find((s) => s.moref === moref);
  if (!snap) return task.succeed(clock.now());
  const gone = new Set([moref]);
  if (removeChildren)
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of all)
        if (s.parent && gone.has(s.parent) && !gone.has(s.moref)) {
          gone.add(s.moref);
          grew = true;
        }
    }
  vm.snapshots = all
    .filter((s) => !gone.has(s.moref))
    .map((s) => {
      if (s.parent !== moref) return s;
      const { parent: _removed, ...rest } = s;
      return snap.parent ? { ...rest, parent: snap.parent } : rest;
    });
  if (vm.currentSnapshot && gone.has(vm.currentSnapshot)) {
    if (snap.parent) vm.currentSnapshot = snap.parent;
    else delete vm.currentSnapshot;
  }
  if (vm.snapshots.length === 0) delete vm.currentSnapshot;
  task.succeed(clock.now());
}

/** CreateSnapshot_Task on a VM and RemoveSnapshot_Task on a VirtualMachineSnapshot, as vim25 methods. */
export function snapshotMethods(svc: VimService, vcenterId: string): Record<string, Handler> {
  return {
    CreateSnapshot_Task: (call, session) => {
      const vm = svc.vm(call);
      const task = svc.newTask(
        session,
        'CreateSnapshot_Task',
        'VirtualMachine.createSnapshot',
        vm.moref,
        'VirtualMachine',
        vm.name,
      );
      const spec = {
        name: optionalText(call.method, 'name') ?? '',
        description: optionalText(call.method, 'description') ?? '',
        quiesce: readBool(call.method, 'quiesce', false),
      };
      svc.track(runCreateSnapshot(svc.world, vm, task, spec));
      return taskAnswer(task);
    },
    RemoveSnapshot_Task: (call, session) => {
      const ref = readThis(call.method);
      const vm = vmOfSnapshot(svc.world, vcenterId, ref.value);
      if (!vm) throw managedObjectNotFound(mor(ref.type, ref.value));
      const task = svc.newTask(
        session,
        'RemoveSnapshot_Task',
        'vm.Snapshot.remove',
        ref.value,
        'VirtualMachineSnapshot',
        vm.name,
      );
      const removeChildren = readBool(call.method, 'removeChildren', false);
      svc.track(runRemoveSnapshot(svc.world, vm, ref.value, removeChildren, task));
      return taskAnswer(task);
    },
  };
}
