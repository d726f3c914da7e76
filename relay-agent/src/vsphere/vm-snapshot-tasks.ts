import type { MoRef } from './vim-decode';
import type { VsphereClient } from './vsphere-client';
import { morNode } from './xml';

const ref = (m: MoRef) => morNode(m.type, m.value);

/** `CreateSnapshot_Task`; the task's result is the VirtualMachineSnapshot. */
export function createSnapshotTask(
  vc: VsphereClient,
  vm: MoRef,
  spec: { name: string; description: string; memory: boolean; quiesce: boolean },
): Promise<MoRef> {
  // vim25 reads the parameters in WSDL order.
  return vc.startTask('CreateSnapshot_Task', {
    _this: ref(vm),
    name: spec.name,
    description: spec.description,
    memory: spec.memory,
    quiesce: spec.quiesce,
  });
}

/** `RemoveSnapshot_Task` of one snapshot, its children kept (they go to its parent). */
export function removeSnapshotTask(vc: VsphereClient, snapshot: MoRef): Promise<MoRef> {
  return vc.startTask('RemoveSnapshot_Task', { _this: ref(snapshot), removeChildren: false });
}
