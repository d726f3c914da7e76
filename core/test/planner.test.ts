import { describe, expect, it } from 'vitest';
import { CapacityError, type PlannerHost, type PlannerVm, computeK } from '../src/planner/capacity';
import { estimatePlanS, estimateSeedS, lowerBoundS, outOfServiceS } from '../src/planner/makespan';
import { PlanRefusedError, planRollout } from '../src/planner/plan';
import { wavesOf, windowPlan } from '../src/workflows/ops/window-plan';

const host = (hostId: string, cpuMhz = 100_000, memoryMiB = 512_000, runsVcenter = false): PlannerHost => ({
  hostId,
  cpuMhz,
  memoryMiB,
  runsVcenter,
});
const hosts = (n: number): PlannerHost[] =>
  Array.from({ length: n }, (_, i) => host(`H${String(i).padStart(2, '0')}`));
const load = (cpuMhz: number, memoryMiB: number, poweredOn = true): PlannerVm => ({
  cpuMhz,
  memoryMiB,
  poweredOn,
});

describe('computeK: how many hosts may be out at once', () => {
  const cases: {
    name: string;
    hosts: PlannerHost[];
    vms: PlannerVm[];
    failoverLevel: number;
    headroom?: number;
    k: number;
    limitedBy?: string;
  }[] = [
    {
      name: 'empty cluster of 8: all but the failover host',
      hosts: hosts(8),
      vms: [],
      failoverLevel: 1,
      k: 6,
    },
    { name: 'no HA reserve, no load: all but one host', hosts: hosts(4), vms: [], failoverLevel: 0, k: 3 },
    // 8 × 100 GHz; demand 300 GHz ×1.1 = 330 → need 4 hosts left; failover 1 → 3 out.
    {
      name: 'cpu demand limits k',
      hosts: hosts(8),
      vms: [load(300_000, 10)],
      failoverLevel: 1,
      k: 3,
      limitedBy: 'cpu',
    },
    // memory: 8 × 512 GiB; demand 2000 GiB ×1.1 = 2200 → need 5 hosts left; failover 1 → 2 out.
    {
      name: 'memory demand limits k',
      hosts: hosts(8),
      vms: [load(10, 2_000_000)],
      failoverLevel: 1,
      k: 2,
      limitedBy: 'memory',
    },
    {
      name: 'higher failover level takes hosts away one for one',
      hosts: hosts(8),
      vms: [load(300_000, 10)],
      failoverLevel: 2,
      k: 2,
    },
    {
      name: 'powered-off VMs are not demand',
      hosts: hosts(8),
      vms: [load(300_000, 10, false)],
      failoverLevel: 1,
      k: 6,
    },
    {
      name: 'headroom counts: exactly full without headroom',
      hosts: hosts(4),
      vms: [load(200_000, 10)],
      failoverLevel: 0,
      headroom: 0,
      k: 2,
    },
    {
      name: 'headroom counts: 10 % more no longer fits',
      hosts: hosts(4),
      vms: [load(200_000, 10)],
      failoverLevel: 0,
      k: 1,
    },
    {
      name: 'worst case: the largest hosts are the ones out',
      hosts: [host('BIG', 400_000), host('A'), host('B'), host('C')],
      vms: [load(250_000, 10)],
      failoverLevel: 0,
      k: 1,
    },
    {
      name: 'a full cluster cannot spare a host',
      hosts: hosts(3),
      vms: [load(290_000, 10)],
      failoverLevel: 0,
      k: 0,
    },
    {
      name: 'two hosts with failover 1 cannot spare a host',
      hosts: hosts(2),
      vms: [],
      failoverLevel: 1,
      k: 0,
    },
  ];
  it.each(cases)('$name → k=$k', (c) => {
    const r = computeK({ hosts: c.hosts, vms: c.vms, failoverLevel: c.failoverLevel, headroom: c.headroom });
    expect(r.k).toBe(c.k);
    if (c.limitedBy) expect(r.limitedBy).toBe(c.limitedBy);
  });

  it('k is capped by how many hosts need an update', () => {
    expect(computeK({ hosts: hosts(8), vms: [], failoverLevel: 1 }, 2).k).toBe(2);
  });

  it('rejects a negative failover level', () => {
    expect(() => computeK({ hosts: hosts(3), vms: [], failoverLevel: -1 })).toThrow(CapacityError);
  });
});

describe('planRollout: batches, order, skipped hosts', () => {
  const cpuBound = { vms: [load(300_000, 10)], failoverLevel: 1 }; // k = 3 on 8 hosts

  it('splits 8 hosts into batches of k', () => {
    const p = planRollout({ hosts: hosts(8), ...cpuBound });
    expect(p.k).toBe(3);
    expect(p.batches).toEqual([
      ['H00', 'H01', 'H02'],
      ['H03', 'H04', 'H05'],
      ['H06', 'H07'],
    ]);
  });

  it('puts the host running the vCenter appliance last, even against the operator order', () => {
    const hs = [host('A'), host('VC', 100_000, 512_000, true), host('B'), host('C')];
    const p = planRollout({ hosts: hs, vms: [], failoverLevel: 1, hostOrder: ['VC', 'C'] });
    expect(p.batches.flat()).toEqual(['C', 'A', 'B', 'VC']);
    expect(p.notes.join()).toMatch(/vCenter appliance/);
    // Marked to start only when every other host is finished (the window would otherwise overlap them).
    expect(p.last).toEqual(['VC']);
    expect(planRollout({ hosts: [host('A'), host('B')], vms: [], failoverLevel: 0 }).last).toEqual([]);
  });

  const orderCases = [
    { order: ['H03', 'H01'], first: ['H03', 'H01', 'H00'] },
    { order: ['H07'], first: ['H07', 'H00', 'H01'] },
    { order: [], first: ['H00', 'H01', 'H02'] },
  ];
  it.each(orderCases)('operator order $order comes first, the rest by id', ({ order, first }) => {
    const p = planRollout({ hosts: hosts(8), ...cpuBound, hostOrder: order });
    expect(p.batches[0]).toEqual(first);
    expect(p.batches.flat()).toHaveLength(8);
  });

  it('excludes skipped hosts and hosts with nothing to update', () => {
    const p = planRollout({
      hosts: hosts(8),
      ...cpuBound,
      skipHostIds: ['H02'],
      updateHostIds: ['H00', 'H01', 'H02', 'H03'],
    });
    expect(p.batches.flat()).toEqual(['H00', 'H01', 'H03']);
    expect(p.skipped).toEqual(['H02']);
  });

  it('a smaller operator batch size is taken as is', () => {
    const p = planRollout({ hosts: hosts(8), ...cpuBound, batchSize: 2 });
    expect(p.batchSize).toBe(2);
    expect(p.batches).toHaveLength(4);
  });

  it('refuses a batch size above k with a clear error', () => {
    expect(() => planRollout({ hosts: hosts(8), ...cpuBound, batchSize: 4 })).toThrow(
      /batch size 4 is above 3.*a named person must force it/,
    );
    expect(() =>
      planRollout({
        hosts: hosts(8),
        ...cpuBound,
        batchSize: 4,
        forcedBy: { kind: 'system', id: 'rackops' },
      }),
    ).toThrow(PlanRefusedError);
  });

  it('a named person may force a batch size above k, and the plan says so', () => {
    const p = planRollout({
      hosts: hosts(8),
      ...cpuBound,
      batchSize: 4,
      forcedBy: { kind: 'user', id: 'aad-1', name: 'Dana' },
    });
    expect(p.batches[0]).toHaveLength(4);
    expect(p.notes.join()).toMatch(/forced by Dana/);
  });

  it('refuses when not one host can be spared', () => {
    expect(() => planRollout({ hosts: hosts(3), vms: [load(290_000, 10)], failoverLevel: 0 })).toThrow(
      CapacityError,
    );
  });

  it('refuses unknown host ids', () => {
    expect(() => planRollout({ hosts: hosts(3), vms: [], failoverLevel: 0, skipHostIds: ['NOPE'] })).toThrow(
      /NOPE is not in the cluster/,
    );
  });

  it('nothing to update gives an empty plan', () => {
    expect(planRollout({ hosts: hosts(3), vms: [], failoverLevel: 0, updateHostIds: [] }).batches).toEqual(
      [],
    );
  });
});

describe('makespan estimates', () => {
  const t = { scpS: 5, stageS: 60, evacuateS: 30, applyRebootS: 240, reconnectS: 20, exitS: 5, verifyS: 5 };
  it('lower bound is ⌈N/k⌉ × shortest out-of-service time', () => {
    expect(outOfServiceS(t)).toBe(295);
    expect(lowerBoundS(16, 6, t)).toBe(3 * 295);
  });
  it('the plan beats one-host-at-a-time with firmware uploaded in maintenance', () => {
    const plan = planRollout({ hosts: hosts(16), vms: [load(600_000, 10)], failoverLevel: 1 });
    expect(estimatePlanS(plan.batches, t) * 2).toBeLessThan(estimateSeedS(16, t));
  });
});

describe('windowPlan: what the workflow runs', () => {
  const idrac = {
    componentId: '25227',
    name: 'iDRAC',
    version: '7',
    url: 'https://r/i.exe',
    rebootRequired: false,
  };
  const ph = (hostId: string, applyNow = false) => ({
    hostId,
    packages: [],
    expected: [],
    immediate: applyNow ? [idrac] : [],
    immediateExpected: [],
    reboot: true,
  });
  it('keeps plan order, marks each host with its wave and wave size, and the appliance host as last', () => {
    const plan = windowPlan(
      2,
      2,
      [
        [ph('A'), ph('B')],
        [ph('C'), ph('VC')],
      ],
      new Set(['VC']),
    );
    expect(plan.hosts.map((h) => [h.hostId, h.wave, h.waveSize, h.last ?? false])).toEqual([
      ['A', 0, 2, false],
      ['B', 0, 2, false],
      ['C', 1, 2, false],
      ['VC', 1, 2, true],
    ]);
    expect(wavesOf(plan).map((b) => b.map((h) => h.hostId))).toEqual([
      ['A', 'B'],
      ['C', 'VC'],
    ]);
    expect(plan).toMatchObject({ k: 2, batchSize: 2 });
  });

  it('lists the hosts with firmware that needs no reboot last wave first: done before their turn', () => {
    const plan = windowPlan(
      2,
      2,
      [[ph('A', true), ph('B')], [ph('C', true), ph('D', true)], [ph('E', true)]],
      new Set(),
    );
    expect(plan.applyNow.map((h) => h.hostId)).toEqual(['E', 'C', 'D', 'A']);
  });

  it('lists the hosts with firmware to stage (a window), in plan order', () => {
    const inService = { ...ph('B', true), reboot: false };
    const plan = windowPlan(2, 2, [[ph('A'), inService], [ph('C')]], new Set());
    expect(plan.stage.map((h) => h.hostId)).toEqual(['A', 'C']);
  });

  it('carries host refs only: no firmware in the workflow state, whatever the hosts were planned with', () => {
    const plan = windowPlan(1, 1, [[ph('A', true)]], new Set());
    for (const h of [...plan.hosts, ...plan.applyNow, ...plan.stage]) {
      expect(h).not.toHaveProperty('packages');
      expect(h).not.toHaveProperty('immediate');
      expect(h).not.toHaveProperty('expected');
    }
    expect(plan.hosts[0]).toMatchObject({ hostId: 'A', reboot: true, hasImmediate: true });
  });
});
