import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LabConfigInput } from '../src/config/lab-config.schema';
import type { Lab } from '../src/index';
import {
  startVimLab,
  faultType,
  retrieveOne,
  startTask,
  taskInfo,
  type VimClient,
  waitTask,
} from './helpers/vim-client';

const host = (serviceTag: string, memoryMiB = 262_144) => ({
  serviceTag,
  name: `${serviceTag.toLowerCase()}.test.local`,
  cpuMhz: 100_000,
  memoryMiB,
});
const vm = (name: string, on: string, extra: Record<string, unknown> = {}) => ({
  name,
  host: on,
  cpuMhz: 2_000,
  memoryMiB: 8_192,
  ...extra,
});

/**
 * `evac`: three roomy hosts, one USB-pinned VM on TESTE01. `tight`: two small hosts that are
 * each too full to take the other's VMs. HA is off in `tight` so only raw capacity decides.
 */
const CONFIG: LabConfigInput = {
  name: 'maintenance',
  vcenters: [
    {
      id: 'vc-test',
      clusters: [
        { name: 'evac', hosts: [host('TESTE01'), host('TESTE02'), host('TESTE03')] },
        {
          name: 'tight',
          ha: { haEnabled: false, admissionControlEnabled: false, failoverLevel: 0 },
          hosts: [host('TESTT01', 65_536), host('TESTT02', 65_536)],
        },
      ],
      vms: [
        vm('e1-app-1', 'TESTE01'),
        vm('e1-app-2', 'TESTE01'),
        vm('e1-off', 'TESTE01', { powerState: 'poweredOff' }),
        vm('e1-usb', 'TESTE01', { devices: { usbPassthrough: true } }),
        vm('e2-app-1', 'TESTE02'),
        vm('e2-app-2', 'TESTE02'),
        vm('e3-app-1', 'TESTE03'),
        ...Array.from({ length: 6 }, (_, i) => vm(`t1-app-${i}`, 'TESTT01')),
        ...Array.from({ length: 6 }, (_, i) => vm(`t2-app-${i}`, 'TESTT02')),
      ],
    },
  ],
};

describe('vCenter maintenance mode (DRS evacuation)', () => {
  let lab: Lab;
  let vim: VimClient;
  const moref = (tag: string) => lab.world.host(tag).moref;
  const vmByName = (name: string) => [...lab.world.vms.values()].find((v) => v.name === name)!;
  const enter = (tag: string, timeout: number, evacuatePoweredOff = false) =>
    startTask(
      vim,
      'EnterMaintenanceMode_Task',
      `<_this type="HostSystem">${moref(tag)}</_this><timeout>${timeout}</timeout><evacuatePoweredOffVms>${evacuatePoweredOff}</evacuatePoweredOffVms>`,
    );
  const exit = (tag: string) =>
    startTask(
      vim,
      'ExitMaintenanceMode_Task',
      `<_this type="HostSystem">${moref(tag)}</_this><timeout>0</timeout>`,
    );
  const inMaintenance = async (tag: string) =>
    (
      (await retrieveOne(vim, 'HostSystem', moref(tag), ['runtime.inMaintenanceMode']))[
        'runtime.inMaintenanceMode'
      ] as {
        '#text': string;
      }
    )['#text'] === 'true';

  beforeAll(async () => {
    ({ lab, vim } = await startVimLab(CONFIG));
  });
  afterAll(async () => {
    await lab.stop();
  });
  beforeEach(() => {
    lab.faults.clear();
  });

  it('migrates powered-on VMs to other hosts with capacity, then enters maintenance mode', async () => {
    const task = await enter('TESTE02', 0);
    const info = await waitTask(vim, task);
    expect(info.error).toBeUndefined();
    expect(info.state).toBe('success');
    expect(await inMaintenance('TESTE02')).toBe(true);
    expect(lab.world.vmsOnHost('TESTE02')).toHaveLength(0);
    expect(vmByName('e2-app-1').hostId).not.toBe('TESTE02');
    // DRS never places VMs on the other hosts being evacuated, nor on a host in maintenance mode.
    expect(['TESTE01', 'TESTE03']).toContain(vmByName('e2-app-2').hostId);

    const again = await waitTask(vim, await enter('TESTE02', 600));
    expect(again.state).toBe('error');
    expect(again.error?.fault['@_xsi:type']).toBe('InvalidState');

    expect((await waitTask(vim, await exit('TESTE02'))).state).toBe('success');
    expect(await inMaintenance('TESTE02')).toBe(false);
  });

  it('stalls on a VM that cannot be migrated (USB passthrough) and fails with Timedout when the timeout passes', async () => {
    const started = Date.now();
    const task = await enter('TESTE01', 6000); // 6000 s real = 1 s at this time scale
    // While it waits, the movable VMs are gone, the pinned one stays, the task runs on at its progress.
    await expect
      .poll(
        () =>
          lab.world
            .vmsOnHost('TESTE01')
            .filter((v) => v.powerState === 'poweredOn')
            .map((v) => v.name),
        {
          interval: 5,
          timeout: 5_000,
        },
      )
      .toEqual(['e1-usb']);
    const running = await taskInfo(vim, task);
    expect(running.state).toBe('running');
    expect(Number(running.progress)).toBeGreaterThan(0);
    expect(Number(running.progress)).toBeLessThan(100);

    const info = await waitTask(vim, task);
    expect(info.state).toBe('error');
    expect(info.error?.fault['@_xsi:type']).toBe('Timedout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await inMaintenance('TESTE01')).toBe(false);
    // The powered-off VM stays registered on the host (evacuatePoweredOffVms=false).
    expect(vmByName('e1-off').hostId).toBe('TESTE01');
  });

  it('finishes a stalled entry once the pinned VM is powered off', async () => {
    const task = await enter('TESTE01', 0);
    await expect
      .poll(async () => (await taskInfo(vim, task)).state, { interval: 5, timeout: 5_000 })
      .toBe('running');
    const off = await startTask(
      vim,
      'PowerOffVM_Task',
      `<_this type="VirtualMachine">${vmByName('e1-usb').moref}</_this>`,
    );
    expect((await waitTask(vim, off)).state).toBe('success');
    expect((await waitTask(vim, task)).state).toBe('success');
    expect(await inMaintenance('TESTE01')).toBe(true);
    expect((await waitTask(vim, await exit('TESTE01'))).state).toBe('success');
    const on = await startTask(
      vim,
      'PowerOnVM_Task',
      `<_this type="VirtualMachine">${vmByName('e1-usb').moref}</_this>`,
    );
    expect((await waitTask(vim, on)).state).toBe('success');
  });

  it('ends a stalled entry with RequestCanceled on CancelTask, leaving the host out of maintenance', async () => {
    const task = await enter('TESTE01', 0);
    await expect
      .poll(async () => (await taskInfo(vim, task)).state, { interval: 5, timeout: 5_000 })
      .toBe('running');
    const cancel = await vim.call(
      `<CancelTask xmlns="urn:vim25"><_this type="Task">${task}</_this></CancelTask>`,
    );
    expect(cancel.status).toBe(200);
    const info = await waitTask(vim, task);
    expect(info.state).toBe('error');
    expect(info.error?.fault['@_xsi:type']).toBe('RequestCanceled');
    expect(await inMaintenance('TESTE01')).toBe(false);
    const late = await vim.call(
      `<CancelTask xmlns="urn:vim25"><_this type="Task">${task}</_this></CancelTask>`,
    );
    expect(faultType(late)).toBe('InvalidState');
  });

  it('honours the DRS-cannot-evacuate fault: nothing moves and the entry times out', async () => {
    lab.faults.set('TESTE03', { drsCannotEvacuate: true });
    const before = lab.world
      .vmsOnHost('TESTE03')
      .map((v) => v.name)
      .sort();
    const info = await waitTask(vim, await enter('TESTE03', 300));
    expect(info.state).toBe('error');
    expect(info.error?.fault['@_xsi:type']).toBe('Timedout');
    expect(
      lab.world
        .vmsOnHost('TESTE03')
        .map((v) => v.name)
        .sort(),
    ).toEqual(before);
  });

  it('fails at once when the rest of the cluster lacks the capacity, moving nothing', async () => {
    const started = Date.now();
    const info = await waitTask(vim, await enter('TESTT01', 0));
    expect(info.state).toBe('error');
    expect(info.error?.fault['@_xsi:type']).toBe('InsufficientResourcesFault');
    expect(info.error?.localizedMessage).toMatch(/Insufficient resources/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lab.world.vmsOnHost('TESTT01')).toHaveLength(6);
    expect(await inMaintenance('TESTT01')).toBe(false);
  });

  it('refuses a power-on that would break the HA failover level (admission control)', async () => {
    const cluster = lab.world.cluster('tight');
    const ha = (enabled: boolean) =>
      startTask(
        vim,
        'ReconfigureComputeResource_Task',
        `<_this type="ClusterComputeResource">${cluster.moref}</_this><spec xsi:type="ClusterConfigSpecEx"><dasConfig><enabled>true</enabled><admissionControlEnabled>${enabled}</admissionControlEnabled><admissionControlPolicy xsi:type="ClusterFailoverLevelAdmissionControlPolicy"><failoverLevel>1</failoverLevel></admissionControlPolicy></dasConfig></spec><modify>true</modify>`,
      );
    const vm = vmByName('t1-app-0');
    expect((await waitTask(vim, await ha(true))).state).toBe('success');
    expect(
      (
        await waitTask(
          vim,
          await startTask(vim, 'PowerOffVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
        )
      ).state,
    ).toBe('success');
    const refused = await waitTask(
      vim,
      await startTask(vim, 'PowerOnVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
    );
    expect(refused.state).toBe('error');
    expect(refused.error?.fault['@_xsi:type']).toBe('InsufficientResourcesFault');
    expect(vm.powerState).toBe('poweredOff');
    expect((await waitTask(vim, await ha(false))).state).toBe('success');
    expect(
      (
        await waitTask(
          vim,
          await startTask(vim, 'PowerOnVM_Task', `<_this type="VirtualMachine">${vm.moref}</_this>`),
        )
      ).state,
    ).toBe('success');
  });

  it('refuses an entry that would break the HA failover level until admission control is relaxed', async () => {
    const cluster = lab.world.cluster('evac');
    const setFailover = (level: number, admission: boolean) =>
      startTask(
        vim,
        'ReconfigureComputeResource_Task',
        `<_this type="ClusterComputeResource">${cluster.moref}</_this><spec xsi:type="ClusterConfigSpecEx"><dasConfig><admissionControlEnabled>${admission}</admissionControlEnabled><admissionControlPolicy xsi:type="ClusterFailoverLevelAdmissionControlPolicy"><failoverLevel>${level}</failoverLevel></admissionControlPolicy></dasConfig></spec><modify>true</modify>`,
      );
    expect((await waitTask(vim, await setFailover(2, true))).state).toBe('success');
    const refused = await waitTask(vim, await enter('TESTE03', 0));
    expect(refused.state).toBe('error');
    expect(refused.error?.localizedMessage).toMatch(/failover level/);

    expect((await waitTask(vim, await setFailover(2, false))).state).toBe('success');
    // Two hosts at once (a batch): neither takes the other's VMs, all land on the third.
    const [t2, t3] = await Promise.all([enter('TESTE02', 0), enter('TESTE03', 0)]);
    expect((await waitTask(vim, t2)).state).toBe('success');
    expect((await waitTask(vim, t3)).state).toBe('success');
    const running = [...lab.world.vms.values()].filter(
      (v) => v.clusterId === 'evac' && v.powerState === 'poweredOn',
    );
    expect(new Set(running.map((v) => v.hostId))).toEqual(new Set(['TESTE01']));
    expect((await waitTask(vim, await exit('TESTE02'))).state).toBe('success');
    expect((await waitTask(vim, await exit('TESTE03'))).state).toBe('success');
    expect((await waitTask(vim, await setFailover(1, true))).state).toBe('success');
  });
});

describe('vCenter maintenance mode: hosts of one batch entering together', () => {
  // BAT02 has the most free memory: DRS's first choice for BAT01's VMs, until BAT02 starts entering itself.
  const BATCH: LabConfigInput = {
    name: 'batch',
    vcenters: [
      {
        id: 'vc-batch',
        clusters: [
          {
            name: 'batch',
            ha: { haEnabled: false, admissionControlEnabled: false, failoverLevel: 0 },
            hosts: [host('BAT01'), host('BAT02', 524_288), host('BAT03'), host('BAT04')],
          },
        ],
        vms: [vm('b1-a', 'BAT01'), vm('b1-b', 'BAT01'), vm('b1-c', 'BAT01'), vm('b2-a', 'BAT02')],
      },
    ],
  };
  let lab: Lab;
  let vim: VimClient;
  beforeAll(async () => {
    // Slow enough (one vMotion ≈ 330 ms) that the second entry starts while the first one's vMotions run.
    ({ lab, vim } = await startVimLab(BATCH, 1 / 60));
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('starts no VM migration onto a host that began entering maintenance mode after the plan', async () => {
    const moves: string[] = [];
    const moveVm = lab.world.moveVm.bind(lab.world);
    lab.world.moveVm = (vmId, to) => {
      moves.push(`${vmId}->${to}`);
      moveVm(vmId, to);
    };
    const enter = (tag: string) =>
      startTask(
        vim,
        'EnterMaintenanceMode_Task',
        `<_this type="HostSystem">${lab.world.host(tag).moref}</_this><timeout>0</timeout><evacuatePoweredOffVms>false</evacuatePoweredOffVms>`,
      );
    const first = await enter('BAT01');
    const second = await enter('BAT02');
    expect((await waitTask(vim, first)).state).toBe('success');
    expect((await waitTask(vim, second)).state).toBe('success');
    // The vMotion already under way when BAT02 began entering lands there (as in vCenter) and moves again; BAT01's
    // other VMs go straight to the hosts staying in service: five migrations for four VMs, not seven.
    expect(moves.filter((m) => m.endsWith('->BAT02'))).toHaveLength(1);
    expect(moves).toHaveLength(5);
    const running = [...lab.world.vms.values()].map((v) => v.hostId);
    expect(running.every((h) => h === 'BAT03' || h === 'BAT04')).toBe(true);
  });
});
