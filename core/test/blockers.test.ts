import { describe, expect, it } from 'vitest';
import type { Blocker, Vm } from '../src/inventory/inventory.schema';
import { applyResolution, ResolutionRejectedError, resolveByPolicy } from '../src/blockers/apply-resolution';
import { classifyVm, mergeBlockers } from '../src/blockers/classify';
import { Resolution } from '../src/blockers/resolution.schema';

const vm = (over: Omit<Partial<Vm>, 'devices'> & { devices?: Partial<Vm['devices']> } = {}): Vm => ({
  id: 'vm-1',
  name: 'app01',
  vcenterId: 'vc1',
  moref: 'vm-1',
  hostId: 'H1',
  powerState: 'poweredOn',
  cpuMhz: 1000,
  memoryMiB: 1024,
  isVcenterAppliance: false,
  ...over,
  devices: {
    usbPassthrough: false,
    pciPassthrough: false,
    vgpu: false,
    faultTolerance: false,
    localStorage: false,
    affinityRules: [],
    ...over.devices,
  },
});

describe('classifyVm: blockers and severity', () => {
  const cases: { name: string; vm: Vm; expected: [string, string][] }[] = [
    { name: 'plain VM', vm: vm(), expected: [] },
    {
      name: 'USB passthrough',
      vm: vm({ devices: { usbPassthrough: true } }),
      expected: [['usb_passthrough', 'critical']],
    },
    {
      name: 'PCI passthrough',
      vm: vm({ devices: { pciPassthrough: true } }),
      expected: [['pci_passthrough', 'critical']],
    },
    { name: 'vGPU', vm: vm({ devices: { vgpu: true } }), expected: [['vgpu', 'critical']] },
    {
      name: 'FT',
      vm: vm({ devices: { faultTolerance: true } }),
      expected: [['fault_tolerance', 'critical']],
    },
    {
      name: 'local disk',
      vm: vm({ devices: { localStorage: true } }),
      expected: [['local_storage', 'critical']],
    },
    {
      name: 'vCenter appliance',
      vm: vm({ isVcenterAppliance: true }),
      expected: [['vcenter_appliance', 'critical']],
    },
    {
      name: 'ISO',
      vm: vm({ devices: { connectedIso: '[ds1] a.iso' } }),
      expected: [['connected_iso', 'warning']],
    },
    {
      name: 'affinity',
      vm: vm({ devices: { affinityRules: ['must-run-on-H1'] } }),
      expected: [['affinity_rule', 'warning']],
    },
    {
      name: 'powered off never blocks',
      vm: vm({ powerState: 'poweredOff', devices: { vgpu: true } }),
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ vm: v, expected }) => {
    expect(classifyVm(v).map((b) => [b.reason, b.severity])).toEqual(expected);
  });

  it('the scanner may raise a warning to critical, never lower a critical', () => {
    const iso: Blocker = { vmId: 'vm-1', vmName: 'app01', reason: 'connected_iso', severity: 'critical' };
    expect(mergeBlockers([iso]).map((b) => b.severity)).toEqual(['critical']);
  });

  it('merge dedupes by VM and reason and keeps our critical severity', () => {
    const scanned: Blocker = { vmId: 'vm-1', vmName: 'app01', reason: 'vgpu', severity: 'warning' };
    const merged = mergeBlockers(
      [scanned],
      classifyVm(vm({ devices: { vgpu: true, connectedIso: 'x.iso' } })),
    );
    expect(merged.map((b) => [b.reason, b.severity])).toEqual([
      ['vgpu', 'critical'],
      ['connected_iso', 'warning'],
    ]);
  });
});

describe('applyResolution', () => {
  const usb: Blocker = { vmId: 'vm-usb', vmName: 'dongle', reason: 'usb_passthrough', severity: 'critical' };
  const iso: Blocker = { vmId: 'vm-iso', vmName: 'installer', reason: 'connected_iso', severity: 'warning' };
  const vcsa: Blocker = { vmId: 'vm-vc', vmName: 'vcsa', reason: 'vcenter_appliance', severity: 'critical' };
  const ctx = { blockers: { H1: [usb, iso], H2: [vcsa], H3: [usb] }, hostIds: ['H1', 'H2', 'H3', 'H4'] };

  it('power off one VM, skip one host', () => {
    const r = applyResolution(ctx, [
      { hostId: 'H1', skipHost: false, vms: [{ vmId: 'vm-usb', action: 'power_off' }] },
      { hostId: 'H3', skipHost: true, vms: [] },
    ]);
    expect(r.skipHostIds).toEqual(['H3']);
    expect(r.powerOff).toEqual({ H1: ['vm-usb'] });
    expect(r.notes.join('\n')).toMatch(/installer \(connected_iso\): warning acknowledged/);
  });

  const rejects: { name: string; hosts: Parameters<typeof applyResolution>[1]; msg: RegExp }[] = [
    {
      name: 'unanswered critical blocker',
      hosts: [{ hostId: 'H3', skipHost: true, vms: [] }],
      msg: /dongle.*needs a decision/,
    },
    {
      name: 'acknowledging a critical blocker',
      hosts: [
        { hostId: 'H1', skipHost: false, vms: [{ vmId: 'vm-usb', action: 'acknowledge' }] },
        { hostId: 'H3', skipHost: true, vms: [] },
      ],
      msg: /cannot be acknowledged/,
    },
    {
      name: 'migrating a USB passthrough VM',
      hosts: [
        { hostId: 'H1', skipHost: false, vms: [{ vmId: 'vm-usb', action: 'migrate' }] },
        { hostId: 'H3', skipHost: true, vms: [] },
      ],
      msg: /cannot be migrated/,
    },
    {
      name: 'powering off the vCenter appliance',
      hosts: [
        { hostId: 'H1', skipHost: true, vms: [] },
        { hostId: 'H2', skipHost: false, vms: [{ vmId: 'vm-vc', action: 'power_off' }] },
        { hostId: 'H3', skipHost: true, vms: [] },
      ],
      msg: /never powered off/,
    },
    {
      name: 'unknown host',
      hosts: [{ hostId: 'NOPE', skipHost: true, vms: [] }],
      msg: /NOPE is not part of this job/,
    },
  ];
  it.each(rejects)('rejects $name', ({ hosts, msg }) => {
    expect(() => applyResolution(ctx, hosts)).toThrow(ResolutionRejectedError);
    expect(() => applyResolution(ctx, hosts)).toThrow(msg);
  });

  it('carries the operator order and batch size', () => {
    const r = applyResolution(
      ctx,
      [
        { hostId: 'H1', skipHost: true, vms: [] },
        { hostId: 'H3', skipHost: true, vms: [] },
      ],
      { hostOrder: ['H4', 'H2'], batchSize: 1 },
    );
    expect(r).toMatchObject({ hostOrder: ['H4', 'H2'], batchSize: 1, skipHostIds: ['H1', 'H3'] });
  });
});

describe('resolveByPolicy (scheduled jobs)', () => {
  const usb: Blocker = { vmId: 'v', vmName: 'v', reason: 'usb_passthrough', severity: 'critical' };
  const vcsa: Blocker = { vmId: 'c', vmName: 'c', reason: 'vcenter_appliance', severity: 'critical' };
  it('skip_host skips hosts with critical blockers, not the vCenter host', () => {
    expect(resolveByPolicy({ H1: [usb], H2: [vcsa] }, 'skip_host').hosts).toEqual([
      { hostId: 'H1', skipHost: true, vms: [] },
    ]);
  });
  it('fail refuses and names the hosts', () => {
    expect(resolveByPolicy({ H1: [usb] }, 'fail').failed).toMatch(/H1/);
  });
});

describe('Resolution schema', () => {
  it('rejects a host listed twice and a forced batch by the system', () => {
    const bad = Resolution.safeParse({
      jobId: 'j',
      hosts: [
        { hostId: 'H1', vms: [] },
        { hostId: 'H1', vms: [] },
      ],
      forceBatchSizeBy: { kind: 'system', id: 'rackops' },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual([
      'host H1 appears twice',
      'only a named person may force',
    ]);
  });
});
