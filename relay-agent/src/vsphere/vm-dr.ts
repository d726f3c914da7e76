import { VmxDatastorePath, VsphereMoref } from '@rackops/core/relay/dr-commands';
import { z } from 'zod';
import { DeviceOperationError, MalformedResponseError } from '../http/errors';
import type { MoRef } from './vim-decode';
import { MoRef as MoRefSchema, vList } from './vim-zod';
import type { VsphereClient } from './vsphere-client';
import { morNode } from './xml';

/**
 * The vim25 calls of disaster recovery (RegisterVM_Task, UnregisterVM, ReconfigVM_Task for the NICs) and
 * the reads that make them convergent. Everything vCenter answers is parsed with zod before it is used:
 * a moref becomes an argument of the next call only after VsphereMoref accepted it.
 */

const ref = (m: MoRef) => morNode(m.type, m.value);
const checkedMoref = (device: string, what: string, v: unknown, type: string): MoRef => {
  const r = MoRefSchema.safeParse(v);
  if (!r.success || r.data.type !== type || !VsphereMoref.safeParse(r.data.value).success) {
    throw new MalformedResponseError(`${device} ${what}`, `expected a ${type} reference`);
  }
  return { type, value: r.data.value };
};

const VmIdentity = z.object({
  name: z.string().max(200),
  'summary.config.vmPathName': z.string().max(1000).optional(),
  'summary.config.instanceUuid': z.string().max(64).optional(),
});

export interface RegisteredVm {
  readonly vm: MoRef;
  readonly name: string;
  readonly vmxPath: string;
}

const datastoreOf = (path: string) => /^\[([^\]]+)\]/.exec(path)?.[1];

/**
 * The VM already registered from `vmxPath`, or with the same instance UUID on the same datastore (vSphere
 * rewrote the path's case, say). A VM with that UUID elsewhere is the source VM, not the DR copy: ignored.
 */
export async function findRegisteredVm(
  vc: VsphereClient,
  want: { vmxPath: string; instanceUuid?: string | undefined },
): Promise<RegisteredVm | undefined> {
  const ds = datastoreOf(want.vmxPath);
  for await (const page of vc.objects('VirtualMachine', [
    'name',
    'summary.config.vmPathName',
    'summary.config.instanceUuid',
  ])) {
    for (const o of page) {
      const p = VmIdentity.safeParse(o.props);
      if (!p.success) continue;
      const path = p.data['summary.config.vmPathName'];
      const uuid = p.data['summary.config.instanceUuid'];
      const samePath = path === want.vmxPath;
      const sameUuid =
        want.instanceUuid !== undefined &&
        uuid === want.instanceUuid &&
        path !== undefined &&
        datastoreOf(path) === ds;
      if ((samePath || sameUuid) && path !== undefined && VsphereMoref.safeParse(o.obj.value).success) {
        return { vm: { type: 'VirtualMachine', value: o.obj.value }, name: p.data.name, vmxPath: path };
      }
    }
  }
  return undefined;
}

/** The `vmFolder` of the only datacenter; more than one datacenter needs an explicit folder. */
export async function defaultVmFolder(vc: VsphereClient): Promise<MoRef> {
  const folders: MoRef[] = [];
  for await (const page of vc.objects('Datacenter', ['vmFolder'])) {
    for (const o of page)
      folders.push(checkedMoref(vc.device, 'Datacenter.vmFolder', o.props.vmFolder, 'Folder'));
  }
  if (folders.length !== 1) {
    throw new DeviceOperationError(
      'vm_folder_ambiguous',
      `${vc.device} has ${folders.length} datacenters: name the VM folder (folderMoref)`,
    );
  }
  return folders[0] as MoRef;
}

export function registerVmTask(
  vc: VsphereClient,
  a: { folder: MoRef; vmxPath: string; name?: string | undefined; pool: MoRef; host?: MoRef | undefined },
): Promise<MoRef> {
  VmxDatastorePath.parse(a.vmxPath);
  return vc.startTask('RegisterVM_Task', {
    _this: ref(a.folder),
    path: a.vmxPath,
    name: a.name,
    asTemplate: false,
    pool: ref(a.pool),
    host: a.host ? ref(a.host) : undefined,
  });
}

/** A task's result as the VM it created. */
export const taskVm = (vc: VsphereClient, result: unknown): MoRef =>
  checkedMoref(vc.device, 'RegisterVM_Task result', result, 'VirtualMachine');

export async function unregisterVm(vc: VsphereClient, vm: MoRef): Promise<void> {
  await vc.invoke('UnregisterVM', { _this: ref(vm) }, { mutating: true });
}

const Nic = z.looseObject({
  _type: z.string().max(80),
  key: z.coerce.number().int(),
  backing: z.looseObject({
    _type: z.string().max(80).optional(),
    deviceName: z.string().max(200).optional(),
  }),
});
const NIC_TYPES = new Set([
  'VirtualVmxnet3',
  'VirtualVmxnet2',
  'VirtualVmxnet',
  'VirtualE1000',
  'VirtualE1000e',
  'VirtualPCNet32',
  'VirtualSriovEthernetCard',
]);

/** The VM's network adapters (type, key, the port group name its backing names). */
export async function vmNics(vc: VsphereClient, vm: MoRef) {
  const props = (await vc.properties(vm, ['config.hardware.device'])).props;
  const devices = vList(z.unknown()).parse(props['config.hardware.device']);
  return devices.flatMap((d) => {
    const n = Nic.safeParse(d);
    return n.success && NIC_TYPES.has(n.data._type) ? [n.data] : [];
  });
}

/** The standard port group called `name` (vCenter's `Network` objects). */
export async function networkByName(vc: VsphereClient, name: string): Promise<MoRef | undefined> {
  for await (const page of vc.objects('Network', ['name'])) {
    for (const o of page) {
      if (o.props.name === name && o.obj.type === 'Network' && VsphereMoref.safeParse(o.obj.value).success) {
        return { type: 'Network', value: o.obj.value };
      }
    }
  }
  return undefined;
}

/** ReconfigVM_Task: every listed NIC's backing moves to `network` (one task, all adapters). */
export function reconfigureNicsTask(
  vc: VsphereClient,
  vm: MoRef,
  nics: ReadonlyArray<{ _type: string; key: number }>,
  network: { ref: MoRef; name: string },
): Promise<MoRef> {
  return vc.startTask('ReconfigVM_Task', {
    _this: ref(vm),
    spec: {
      '@_xsi:type': 'VirtualMachineConfigSpec',
      deviceChange: nics.map((nic) => ({
        operation: 'edit',
        device: {
          '@_xsi:type': nic._type,
          key: nic.key,
          backing: {
            '@_xsi:type': 'VirtualEthernetCardNetworkBackingInfo',
            deviceName: network.name,
            network: ref(network.ref),
          },
        },
      })),
    },
  });
}

const Tools = z.object({
  'guest.toolsRunningStatus': z.string().max(60).optional(),
  guestHeartbeatStatus: z.string().max(20).optional(),
  'runtime.powerState': z.enum(['poweredOn', 'poweredOff', 'suspended']),
});

/** VMware Tools of one VM: running and a green heartbeat is "ready". */
export async function toolsOf(vc: VsphereClient, vm: MoRef) {
  const props = (
    await vc.properties(vm, ['guest.toolsRunningStatus', 'guestHeartbeatStatus', 'runtime.powerState'])
  ).props;
  const t = Tools.safeParse(props);
  if (!t.success) throw new MalformedResponseError(`${vc.device} vm ${vm.value}`, 'unreadable Tools status');
  const running = t.data['guest.toolsRunningStatus'] ?? 'guestToolsNotRunning';
  const heartbeat = t.data.guestHeartbeatStatus ?? 'gray';
  return {
    toolsRunningStatus: running,
    heartbeat,
    powerState: t.data['runtime.powerState'],
    ready: running === 'guestToolsRunning' && heartbeat === 'green',
  };
}

const DatastoreFacts = z.object({ name: z.string().max(200), 'summary.type': z.string().max(40).optional() });

/** The datastore called `name` (and its type: `NFS`, `VMFS`…), or undefined. */
export async function datastoreByName(
  vc: VsphereClient,
  name: string,
): Promise<{ ref: MoRef; type: string | undefined } | undefined> {
  for await (const page of vc.objects('Datastore', ['name', 'summary.type'])) {
    for (const o of page) {
      const d = DatastoreFacts.safeParse(o.props);
      if (d.success && d.data.name === name && VsphereMoref.safeParse(o.obj.value).success) {
        return { ref: { type: 'Datastore', value: o.obj.value }, type: d.data['summary.type'] };
      }
    }
  }
  return undefined;
}

/** The host's HostDatastoreSystem, read from `configManager.datastoreSystem`. */
export async function datastoreSystemOf(vc: VsphereClient, host: MoRef): Promise<MoRef> {
  const props = (await vc.properties(host, ['configManager.datastoreSystem'])).props;
  return checkedMoref(
    vc.device,
    'configManager.datastoreSystem',
    props['configManager.datastoreSystem'],
    'HostDatastoreSystem',
  );
}

export async function createNasDatastore(
  vc: VsphereClient,
  system: MoRef,
  spec: { name: string; remoteHost: string; remotePath: string },
): Promise<MoRef> {
  const r = await vc.invoke(
    'CreateNasDatastore',
    {
      _this: ref(system),
      spec: {
        remoteHost: spec.remoteHost,
        remotePath: spec.remotePath,
        localPath: spec.name,
        accessMode: 'readWrite',
        type: 'NFS',
      },
    },
    { mutating: true },
  );
  const rv = r.children.find((c) => c.name === 'returnval');
  return checkedMoref(
    vc.device,
    'CreateNasDatastore',
    rv ? { type: rv.attrs.type, value: rv.text } : undefined,
    'Datastore',
  );
}

export async function removeDatastore(vc: VsphereClient, system: MoRef, datastore: MoRef): Promise<void> {
  await vc.invoke('RemoveDatastore', { _this: ref(system), datastore: ref(datastore) }, { mutating: true });
}
