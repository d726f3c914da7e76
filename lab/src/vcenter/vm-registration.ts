import type { VmState } from '../world/types';
import type { VcInventory } from './model/inventory';
import { VM_FOLDER } from './model/morefs';
import { NIC_KEY } from './model/vm-devices';
import { anyTyped } from './soap/envelope';
import { type MoRef, optionalText, readBool, readMor, readThis } from './soap/decode';
import {
  invalidArgument,
  invalidPowerState,
  invalidState,
  managedObjectNotFound,
  VimFaultError,
} from './soap/faults';
import { mor, str, type Vim } from './soap/vim-value';
import { child, childrenNamed, type XNode } from './soap/xml-tree';
import type { VcTask } from './tasks';
import type { VcContext } from './vc-context';
import { readVmx, resolveVmxPath } from './vmx-file';

/** vCenter takes a few seconds to read a .vmx and add the VM to its inventory. */
export const REGISTER_DURATION_MS = 3_000;
export const RECONFIG_VM_DURATION_MS = 1_000;

/** What the registration methods need from the SOAP service. */
export interface RegistrationScope {
  readonly ctx: VcContext;
  readonly inventory: VcInventory;
  newTask(name: string, descriptionId: string, ref: MoRef, entityName: string, userName: string): VcTask;
  track(p: Promise<void>): void;
  vm(method: XNode): VmState;
}

type Answer = { returnval?: Vim };

/** RegisterVM_Task, UnregisterVM and ReconfigVM_Task (the NIC's port group), as vSphere answers them. */
export function registrationMethods(
  scope: RegistrationScope,
): Record<string, (method: XNode, userName: string) => Answer> {
  const { ctx, inventory } = scope;
  const world = ctx.world;
  return {
    RegisterVM_Task: (method, user) => {
      const folder = readThis(method);
      if (folder.type !== 'Folder' || folder.value !== VM_FOLDER) {
        throw new VimFaultError('NotSupported', 'The operation is not supported on the object.');
      }
      const path = optionalText(method, 'path');
      if (path === undefined) throw invalidArgument('path');
      if (readBool(method, 'asTemplate', false)) {
        throw new VimFaultError('NotSupported', 'Templates are not supported by the lab.');
      }
      const poolRef = child(method, 'pool');
      if (!poolRef) throw invalidArgument('pool');
      const pool = readMor(poolRef, 'pool');
      const cluster = inventory.clusterByPool(pool.value);
      if (!cluster) throw managedObjectNotFound(mor(pool.type, pool.value));
      const hostNode = child(method, 'host');
      const wantedHost = hostNode ? inventory.hostByMoref(readMor(hostNode, 'host').value) : undefined;
      if (hostNode && (!wantedHost || wantedHost.clusterId !== cluster.id)) throw invalidArgument('host');
      const name = optionalText(method, 'name');
      const task = scope.newTask('RegisterVM_Task', 'Folder.registerVm', folder, 'vm', user);
      scope.track(
        (async () => {
          task.start(world.clock.now());
          try {
            const { datastore, file } = await resolveVmxPath(path, ctx.vcenter.nfsDatastores);
            const vmx = await readVmx(file, path);
            await world.clock.sleep(REGISTER_DURATION_MS);
            if (world.isStopped) return;
            const mine = inventory.allVms();
            // The same .vmx twice would be two VMs on one set of disks: vSphere refuses it.
            if (mine.some((v) => v.registration?.vmxPath === path)) {
              throw new VimFaultError(
                'AlreadyExists',
                `The specified key, name, or identifier '${path}' already exists.`,
                {
                  name: str(path),
                },
              );
            }
            const vmName = name ?? vmx.displayName ?? path.slice(path.lastIndexOf('/') + 1, -4);
            if (mine.some((v) => v.name === vmName)) {
              throw new VimFaultError('DuplicateName', `The name '${vmName}' already exists.`, {
                name: str(vmName),
                object: mor('Folder', VM_FOLDER),
              });
            }
            const host =
              wantedHost ??
              world
                .hostsInCluster(cluster.id)
                .filter((h) => h.connectionState === 'connected' && !h.inMaintenanceMode)
                .sort((a, b) => world.vmsOnHost(a.id).length - world.vmsOnHost(b.id).length)[0];
            if (!host) throw invalidState(`No host of ${cluster.name} can run the virtual machine.`);
            const id = nextVmId(world.vms.keys());
            const network = vmx.networkName
              ? inventory.networks.find((n) => n.name === vmx.networkName)?.moref
              : undefined;
            const vm: VmState = {
              id,
              moref: id,
              name: vmName,
              uuid:
                vmx.biosUuid ??
                `42${id.replace(/\D/g, '').padStart(6, '0')}-0000-4000-8000-${'0'.repeat(12)}`,
              vcenterId: ctx.vcenter.id,
              clusterId: cluster.id,
              hostId: host.id,
              powerState: 'poweredOff',
              cpuMhz: vmx.numCpu * 1000,
              memoryMiB: vmx.memoryMiB,
              devices: {
                localStorage: false,
                usbPassthrough: false,
                pciPassthrough: false,
                vgpu: false,
                faultTolerance: false,
                affinityRules: [],
              },
              isVcenterAppliance: false,
              registration: {
                vmxPath: path,
                datastoreMoref: datastore.moref,
                instanceUuid:
                  vmx.instanceUuid ??
                  `50${id.replace(/\D/g, '').padStart(6, '0')}-0000-4000-8000-${'1'.repeat(12)}`,
              },
              ...(network ? { networkMoref: network } : {}),
            };
            world.addVm(vm);
            task.succeed(world.clock.now(), anyTyped(mor('VirtualMachine', id)));
          } catch (e) {
            if (!(e instanceof VimFaultError)) throw e;
            task.fail(world.clock.now(), e);
          }
        })(),
      );
      return { returnval: mor('Task', task.id) } satisfies Answer;
    },
    UnregisterVM: (method) => {
      const vm = scope.vm(method);
      if (vm.isVcenterAppliance || vm.powerState !== 'poweredOff') {
        throw invalidPowerState('poweredOff', vm.powerState);
      }
      world.removeVm(vm.id);
      return {};
    },
    ReconfigVM_Task: (method, user) => {
      const vm = scope.vm(method);
      const spec = child(method, 'spec');
      if (!spec) throw invalidArgument('spec');
      const network = readNicNetwork(spec, scope);
      const task = scope.newTask(
        'ReconfigVM_Task',
        'VirtualMachine.reconfigure',
        { type: 'VirtualMachine', value: vm.moref },
        vm.name,
        user,
      );
      scope.track(
        (async () => {
          task.start(world.clock.now());
          await world.clock.sleep(RECONFIG_VM_DURATION_MS);
          if (world.isStopped) return;
          if (!world.vms.has(vm.id)) {
            return task.fail(world.clock.now(), managedObjectNotFound(mor('VirtualMachine', vm.moref)));
          }
          vm.networkMoref = network;
          task.succeed(world.clock.now());
        })(),
      );
      return { returnval: mor('Task', task.id) } satisfies Answer;
    },
  };
}

/**
 * The one change the lab's ReconfigVM_Task makes: an `edit` of the network adapter's backing to
 * another port group. Anything else in the spec is refused (NotSupported), never silently ignored.
 */
function readNicNetwork(spec: XNode, scope: RegistrationScope): string {
  const others = spec.children.filter((c) => c.name !== 'deviceChange');
  if (others.length > 0) {
    throw new VimFaultError(
      'NotSupported',
      `The lab reconfigures network adapters only (not ${others[0]?.name}).`,
    );
  }
  const changes = childrenNamed(spec, 'deviceChange');
  if (changes.length !== 1) throw invalidArgument('spec.deviceChange');
  const change = changes[0] as XNode;
  const device = child(change, 'device');
  if (optionalText(change, 'operation') !== 'edit' || !device) throw invalidArgument('spec.deviceChange');
  if (optionalText(device, 'key') !== String(NIC_KEY)) throw invalidArgument('spec.deviceChange.device.key');
  const backing = child(device, 'backing');
  if (!backing || backing.attrs['xsi:type'] !== 'VirtualEthernetCardNetworkBackingInfo') {
    throw invalidArgument('spec.deviceChange.device.backing');
  }
  const netNode = child(backing, 'network');
  const byRef = netNode
    ? scope.inventory.networks.find((n) => n.moref === readMor(netNode, 'network').value)
    : undefined;
  const byName = scope.inventory.networks.find((n) => n.name === optionalText(backing, 'deviceName'));
  const net = netNode ? byRef : byName;
  if (!net) throw invalidArgument('spec.deviceChange.device.backing.network');
  return net.moref;
}

function nextVmId(ids: Iterable<string>): string {
  let max = 1000;
  for (const id of ids) {
    const n = Number(id.replace(/^vm-/, ''));
    if (Number.isInteger(n) && n > max) max = n;
  }
  return `vm-${max + 1}`;
}
