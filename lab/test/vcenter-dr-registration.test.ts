import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/index';
import { drLab } from '../src/testing/dr-lab';
import { mountNfsDatastore, unmountNfsDatastore } from '../src/vcenter/nfs-datastores';
import { formatVmx } from '../src/vcenter/vmx-file';
import { resourcePoolOf } from '../src/vcenter/model/morefs';
import { TOOLS_START_MS } from '../src/vcenter/model/vm-object';
import {
  createVimClient,
  faultType,
  retrieveOne,
  startTask,
  type VimClient,
  waitTask,
} from './helpers/vim-client';

const SCALE = 1 / 100;

describe('DR vCenter: RegisterVM_Task, ReconfigVM_Task (port group), Tools status, ShutdownGuest, UnregisterVM', () => {
  let lab: Lab;
  let vim: VimClient;
  let dir: string;
  const text = (v: unknown) => (typeof v === 'string' ? v : (v as { '#text': string })['#text']);
  const pool = () => resourcePoolOf(lab.world.cluster('dr-a'));
  const register = (path: string, extra = '') =>
    startTask(
      vim,
      'RegisterVM_Task',
      `<_this type="Folder">group-v4</_this><path>${path}</path><asTemplate>false</asTemplate><pool type="ResourcePool">${pool()}</pool>${extra}`,
    );
  const drVms = () => [...lab.world.vms.values()].filter((v) => v.vcenterId === 'vc-dr');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rackops-dr-ds-'));
    lab = await startLab(drLab(), {
      timeScale: SCALE,
      services: { ome: false, catalog: false, control: false },
    });
    for (const vm of [...lab.world.vms.values()].filter((v) => v.vcenterId === 'vc-src')) {
      await mkdir(join(dir, vm.name));
      await writeFile(
        join(dir, vm.name, `${vm.name}.vmx`),
        formatVmx({
          name: vm.name,
          memoryMiB: vm.memoryMiB,
          numCpu: 2,
          biosUuid: vm.uuid,
          instanceUuid: `50${vm.uuid.slice(2)}`,
          networkName: 'VM Network',
        }),
      );
    }
    mountNfsDatastore(lab.world, 'vc-dr', 'pg-gold-clone', dir);
    const dr = lab.endpoints.vcenters.find((v) => v.id === 'vc-dr')!;
    vim = createVimClient(dr.url, lab.tls.ca);
    await vim.login();
  });
  afterAll(async () => {
    await lab?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers a VM from the replicated .vmx, once: the same path again is AlreadyExists', async () => {
    const task = await register('[pg-gold-clone] web-01/web-01.vmx');
    const info = (await waitTask(vim, task)) as unknown as { state: string; result: unknown };
    expect(info.state).toBe('success');
    const moref = text(info.result);
    const src = [...lab.world.vms.values()].find((v) => v.name === 'web-01' && v.vcenterId === 'vc-src')!;
    const p = await retrieveOne(vim, 'VirtualMachine', moref, [
      'name',
      'summary.config.vmPathName',
      'summary.config.instanceUuid',
      'runtime.powerState',
      'datastore',
    ]);
    expect(text(p.name)).toBe('web-01');
    expect(text(p['summary.config.vmPathName'])).toBe('[pg-gold-clone] web-01/web-01.vmx');
    // The instance UUID comes from the .vmx: how a runbook finds "its" VM at DR.
    expect(text(p['summary.config.instanceUuid'])).toBe(`50${src.uuid.slice(2)}`);
    expect(text(p['runtime.powerState'])).toBe('poweredOff');
    const ds = (p.datastore as { ManagedObjectReference: Array<{ '#text': string }> }).ManagedObjectReference;
    expect(ds.map((d) => d['#text'])).toEqual([lab.world.vcenters.get('vc-dr')!.nfsDatastores[0]!.moref]);

    const again = await waitTask(vim, await register('[pg-gold-clone] web-01/web-01.vmx'));
    expect(again.state).toBe('error');
    expect(again.error?.fault['@_xsi:type']).toBe('AlreadyExists');
    expect(drVms().filter((v) => v.name === 'web-01')).toHaveLength(1);
    // The datastore refuses to go while a VM lives on it.
    expect(() => unmountNfsDatastore(lab.world, 'vc-dr', 'pg-gold-clone')).toThrow(/registered VMs/);
  });

  it('refuses paths that leave the datastore, unknown datastores and missing files, registering nothing', async () => {
    await symlink('/etc', join(dir, 'escape'));
    const cases: Array<[string, string]> = [
      ['[pg-gold-clone] ../etc/passwd.vmx', 'InvalidDatastorePath'],
      ['[pg-gold-clone] escape/hostname.vmx', 'NotFound'],
      ['[pg-gold-clone] web-01/web-01.vmdk', 'InvalidDatastorePath'],
      ['[pg-gold-clone] web-01/link.vmx', 'InvalidDatastorePath'],
      ['[pg-gold-clone] $(reboot)/x.vmx', 'InvalidDatastorePath'],
      ['[no-such-ds] web-01/web-01.vmx', 'NotFound'],
      ['[pg-gold-clone] app-99/app-99.vmx', 'NotFound'],
    ];
    // A .vmx that is a symlink to a file outside the datastore.
    await symlink('/etc/hostname', join(dir, 'web-01', 'link.vmx'));
    const before = drVms().length;
    for (const [path, fault] of cases) {
      const info = await waitTask(vim, await register(path));
      expect([path, info.state, info.error?.fault['@_xsi:type']]).toEqual([path, 'error', fault]);
    }
    expect(drVms()).toHaveLength(before);
    const noPool = await vim.call(
      `<RegisterVM_Task xmlns="urn:vim25"><_this type="Folder">group-v4</_this><path>[pg-gold-clone] db-01/db-01.vmx</path><asTemplate>false</asTemplate></RegisterVM_Task>`,
    );
    expect(faultType(noPool)).toBe('InvalidArgument');
  });

  it('maps the NIC to the isolated test port group with ReconfigVM_Task; other changes are refused', async () => {
    const vm = drVms().find((v) => v.name === 'web-01')!;
    const nicSpec = (net: string) =>
      `<_this type="VirtualMachine">${vm.moref}</_this><spec xsi:type="VirtualMachineConfigSpec"><deviceChange><operation>edit</operation><device xsi:type="VirtualVmxnet3"><key>4000</key><backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>${net}</deviceName></backing></device></deviceChange></spec>`;
    expect((await waitTask(vim, await startTask(vim, 'ReconfigVM_Task', nicSpec('dr-test')))).state).toBe(
      'success',
    );
    const p = await retrieveOne(vim, 'VirtualMachine', vm.moref, ['network', 'config.hardware.device']);
    expect((p.network as { ManagedObjectReference: unknown[] }).ManagedObjectReference.map(text)).toEqual([
      'network-100',
    ]);
    const devices = (p['config.hardware.device'] as { VirtualDevice: Array<Record<string, unknown>> })
      .VirtualDevice;
    const nic = devices.find((d) => d['@_xsi:type'] === 'VirtualVmxnet3')!;
    expect(text((nic.backing as Record<string, unknown>).deviceName)).toBe('dr-test');

    const unknown = await vim.call(
      `<ReconfigVM_Task xmlns="urn:vim25">${nicSpec('no-such-net')}</ReconfigVM_Task>`,
    );
    expect(faultType(unknown)).toBe('InvalidArgument');
    const memory = await vim.call(
      `<ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this><spec xsi:type="VirtualMachineConfigSpec"><memoryMB>1</memoryMB></spec></ReconfigVM_Task>`,
    );
    expect(faultType(memory)).toBe('NotSupported');
    expect(vm.networkMoref).toBe('network-100');
  });

  it('reports VMware Tools some seconds after power-on; ShutdownGuest needs Tools; UnregisterVM needs power off', async () => {
    const vm = drVms().find((v) => v.name === 'web-01')!;
    const tools = async () =>
      retrieveOne(vim, 'VirtualMachine', vm.moref, ['guest.toolsRunningStatus', 'guestHeartbeatStatus']);
    const on = await waitTask(
      vim,
      await startTask(vim, 'PowerOnVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
    );
    expect(on.state).toBe('success');
    const early = await tools();
    expect(text(early['guest.toolsRunningStatus'])).toBe('guestToolsNotRunning');
    expect(text(early.guestHeartbeatStatus)).toBe('gray');
    const shutdownEarly = await vim.call(
      `<ShutdownGuest xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this></ShutdownGuest>`,
    );
    expect(faultType(shutdownEarly)).toBe('ToolsUnavailable');
    const busy = await vim.call(
      `<UnregisterVM xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this></UnregisterVM>`,
    );
    expect(faultType(busy)).toBe('InvalidPowerState');

    await new Promise((r) => setTimeout(r, TOOLS_START_MS * SCALE + 50));
    const late = await tools();
    expect(text(late['guest.toolsRunningStatus'])).toBe('guestToolsRunning');
    expect(text(late.guestHeartbeatStatus)).toBe('green');

    const shutdown = await vim.call(
      `<ShutdownGuest xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this></ShutdownGuest>`,
    );
    expect(shutdown.status).toBe(200);
    const deadline = Date.now() + 5_000;
    while (vm.powerState !== 'poweredOff' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(vm.powerState).toBe('poweredOff');

    const gone = await vim.call(
      `<UnregisterVM xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this></UnregisterVM>`,
    );
    expect(gone.status).toBe(200);
    expect(lab.world.vms.has(vm.id)).toBe(false);
    const read = await vim.call(
      `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm.moref}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    );
    expect(faultType(read)).toBe('ManagedObjectNotFound');
    // Unregistering keeps the files: the datastore can be registered from again, then unmounted once empty.
    unmountNfsDatastore(lab.world, 'vc-dr', 'pg-gold-clone');
    expect(lab.world.vcenters.get('vc-dr')!.nfsDatastores).toEqual([]);
  });
});
