import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../src/index';
import { createClient } from './helpers/https-client';
import {
  startVimLab,
  faultType,
  type ParsedMor,
  retrieveOne,
  returnval,
  startTask,
  type VimClient,
  waitTask,
} from './helpers/vim-client';

describe('vCenter operations: HA settings, VM power, host reboots, task updates', () => {
  let lab: Lab;
  let vim: VimClient;
  const vmByName = (name: string) => [...lab.world.vms.values()].find((v) => v.name === name)!;
  const text = (v: unknown) => (v as { '#text': string })['#text'];

  beforeAll(async () => {
    ({ lab, vim } = await startVimLab());
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('round-trips HA admission control through ReconfigureComputeResource_Task (modify=true merges)', async () => {
    const cluster = lab.world.cluster('lab-b');
    const das = async () =>
      (await retrieveOne(vim, 'ClusterComputeResource', cluster.moref, ['configurationEx.dasConfig']))[
        'configurationEx.dasConfig'
      ] as Record<string, unknown>;
    const original = await das();
    expect(original['@_xsi:type']).toBe('ClusterDasConfigInfo');
    expect(original.admissionControlEnabled).toBe('true');

    // Relax admission control only: HA stays on, the failover level is kept.
    const relax = await startTask(
      vim,
      'ReconfigureComputeResource_Task',
      `<_this type="ClusterComputeResource">${cluster.moref}</_this><spec xsi:type="ClusterConfigSpecEx"><dasConfig><admissionControlEnabled>false</admissionControlEnabled></dasConfig></spec><modify>true</modify>`,
    );
    expect((await waitTask(vim, relax)).state).toBe('success');
    const relaxed = await das();
    expect(relaxed.enabled).toBe('true');
    expect(relaxed.admissionControlEnabled).toBe('false');
    expect((relaxed.admissionControlPolicy as Record<string, string>).failoverLevel).toBe('1');

    // A percentage policy is kept as such.
    const pct = await startTask(
      vim,
      'ReconfigureComputeResource_Task',
      `<_this type="ClusterComputeResource">${cluster.moref}</_this><spec xsi:type="ClusterConfigSpecEx"><dasConfig><admissionControlEnabled>true</admissionControlEnabled><admissionControlPolicy xsi:type="ClusterFailoverResourcesAdmissionControlPolicy"><cpuFailoverResourcesPercent>25</cpuFailoverResourcesPercent><memoryFailoverResourcesPercent>30</memoryFailoverResourcesPercent></admissionControlPolicy></dasConfig></spec><modify>true</modify>`,
    );
    expect((await waitTask(vim, pct)).state).toBe('success');
    const policy = (await das()).admissionControlPolicy as Record<string, string>;
    expect(policy['@_xsi:type']).toBe('ClusterFailoverResourcesAdmissionControlPolicy');
    expect(policy.memoryFailoverResourcesPercent).toBe('30');

    // Restore the original settings.
    const restore = await startTask(
      vim,
      'ReconfigureComputeResource_Task',
      `<_this type="ClusterComputeResource">${cluster.moref}</_this><spec xsi:type="ClusterConfigSpecEx"><dasConfig><enabled>true</enabled><admissionControlEnabled>true</admissionControlEnabled><admissionControlPolicy xsi:type="ClusterFailoverLevelAdmissionControlPolicy"><failoverLevel>1</failoverLevel></admissionControlPolicy></dasConfig></spec><modify>true</modify>`,
    );
    expect((await waitTask(vim, restore)).state).toBe('success');
    expect(await das()).toEqual(original);
    expect(lab.world.cluster('lab-b').ha).toEqual({
      haEnabled: true,
      admissionControlEnabled: true,
      failoverLevel: 1,
    });

    const bad = await vim.call(
      `<ReconfigureComputeResource_Task xmlns="urn:vim25"><_this type="ClusterComputeResource">${cluster.moref}</_this><spec xsi:type="ClusterConfigSpecEx"><dasConfig><admissionControlPolicy xsi:type="ClusterFailoverLevelAdmissionControlPolicy"><failoverLevel>8</failoverLevel></admissionControlPolicy></dasConfig></spec><modify>true</modify></ReconfigureComputeResource_Task>`,
    );
    expect(faultType(bad)).toBe('InvalidArgument');
  });

  it('powers a VM off and on with tasks, refusing a redundant power-on with InvalidPowerState', async () => {
    const vm = vmByName('app-a-002');
    const state = async () =>
      text(
        (await retrieveOne(vim, 'VirtualMachine', vm.moref, ['runtime.powerState']))['runtime.powerState'],
      );
    expect(await state()).toBe('poweredOn');
    const redundant = await waitTask(
      vim,
      await startTask(vim, 'PowerOnVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
    );
    expect(redundant.state).toBe('error');
    expect(redundant.error?.fault['@_xsi:type']).toBe('InvalidPowerState');

    expect(
      (
        await waitTask(
          vim,
          await startTask(vim, 'PowerOffVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
        )
      ).state,
    ).toBe('success');
    expect(await state()).toBe('poweredOff');
    expect(
      (
        await waitTask(
          vim,
          await startTask(vim, 'PowerOnVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
        )
      ).state,
    ).toBe('success');
    expect(await state()).toBe('poweredOn');

    // ShutdownGuest returns at once; the guest powers off a little later.
    const r = await vim.call(
      `<ShutdownGuest xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this></ShutdownGuest>`,
    );
    expect(r.status).toBe(200);
    await expect.poll(state, { interval: 5, timeout: 5_000 }).toBe('poweredOff');
    const twice = await vim.call(
      `<ShutdownGuest xmlns="urn:vim25"><_this type="VirtualMachine">${vm.moref}</_this></ShutdownGuest>`,
    );
    expect(faultType(twice)).toBe('InvalidPowerState');
  });

  it('follows a host reboot (notResponding, then connected) and crash-stops its VMs outside maintenance mode', async () => {
    const tag = 'LABB008';
    const host = lab.world.host(tag);
    const running = lab.world.vmsOnHost(tag).filter((v) => v.powerState === 'poweredOn');
    expect(running.length).toBeGreaterThan(0);
    const idrac = lab.endpoints.idracs.find((e) => e.hostId === tag)!;
    const redfish = createClient(idrac.url, {
      ca: lab.tls.ca,
      auth: { username: 'root', password: 'calvin' },
    });
    const conn = async () =>
      text(
        (await retrieveOne(vim, 'HostSystem', host.moref, ['runtime.connectionState']))[
          'runtime.connectionState'
        ],
      );

    const reset = await redfish.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
      ResetType: 'ForceRestart',
    });
    expect(reset.status).toBeLessThan(300);
    expect(await conn()).toBe('notResponding');
    expect(running.every((v) => v.powerState === 'poweredOff')).toBe(true);
    await expect.poll(conn, { interval: 5, timeout: 10_000 }).toBe('connected');
    // The crashed VMs stay off: nobody restarted them.
    expect(running.every((v) => v.powerState === 'poweredOff')).toBe(true);
  });

  it('reports task progress through WaitForUpdatesEx (version-based polling)', async () => {
    const vm = vmByName('app-a-003');
    const task = await startTask(vim, 'PowerOffVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`);
    const filter = await vim.call(
      `<CreateFilter xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><spec><propSet><type>Task</type><pathSet>info.state</pathSet><pathSet>info.error</pathSet></propSet><objectSet><obj type="Task">${task}</obj></objectSet></spec><partialUpdates>false</partialUpdates></CreateFilter>`,
    );
    expect((returnval(filter, 'CreateFilter') as unknown as ParsedMor)['@_type']).toBe('PropertyFilter');
    const states: string[] = [];
    let version = '';
    for (let i = 0; i < 20 && states.at(-1) !== 'success'; i++) {
      const r = await vim.call(
        `<WaitForUpdatesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><version>${version}</version><options><maxWaitSeconds>5</maxWaitSeconds></options></WaitForUpdatesEx>`,
      );
      expect(r.status).toBe(200);
      const set = returnval(r, 'WaitForUpdatesEx');
      if (!set) continue;
      version = String(set.version);
      const objectSet = (
        set.filterSet as Array<{
          objectSet: Array<{ kind: string; changeSet: Array<{ name: string; val: unknown }> }>;
        }>
      )[0]!.objectSet[0]!;
      const change = objectSet.changeSet.find((c) => c.name === 'info.state');
      if (change) states.push(text(change.val));
    }
    expect(states[0]).toMatch(/queued|running|success/);
    expect(states.at(-1)).toBe('success');
    // A wait with nothing new returns an empty response after maxWaitSeconds.
    const idle = await vim.call(
      `<WaitForUpdatesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><version>${version}</version><options><maxWaitSeconds>0</maxWaitSeconds></options></WaitForUpdatesEx>`,
    );
    expect(idle.status).toBe(200);
    expect(returnval(idle, 'WaitForUpdatesEx')).toBeUndefined();
    // The pre-Ex forms (pyVmomi's WaitForTask): same versions; a stale one is refused.
    const check = await vim.call(
      `<CheckForUpdates xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><version>${version}</version></CheckForUpdates>`,
    );
    expect(check.status).toBe(200);
    expect(returnval(check, 'CheckForUpdates')).toBeUndefined();
    const stale = await vim.call(
      `<WaitForUpdates xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><version>999</version></WaitForUpdates>`,
    );
    expect(faultType(stale)).toBe('InvalidCollectorVersion');
  });
});
