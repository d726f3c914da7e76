import { afterEach, describe, expect, it } from 'vitest';
import { LabClock } from '../src/clock';
import { DEFAULT_LAB } from '../src/config/default-lab';
import { parseLabConfig } from '../src/config/lab-config.schema';
import { FaultRegistry } from '../src/faults/fault-registry';
import { loadCapture } from '../src/idrac/capture';
import { pinReasons, planEvacuation } from '../src/vcenter/drs';
import { componentTemplates } from '../src/world/firmware';
import { World } from '../src/world/world';

const capture = loadCapture();

function defaultWorld(): World {
  return new World(parseLabConfig(DEFAULT_LAB), {
    clock: new LabClock(1 / 6000),
    faults: new FaultRegistry(1),
    capture,
    components: componentTemplates(capture),
  });
}

describe('DRS evacuation planning', () => {
  let world: World | undefined;
  afterEach(() => world?.stop());

  it('pins exactly the VMs vMotion cannot move, with their reasons', () => {
    world = defaultWorld();
    const reasons = (name: string) => pinReasons([...world!.vms.values()].find((v) => v.name === name)!);
    expect(reasons('usb-dongle-01')).toEqual(['usb_passthrough']);
    expect(reasons('render-gpu-01')).toEqual(['pci_passthrough', 'vgpu']);
    expect(reasons('ledger-ft-01')).toEqual(['fault_tolerance']);
    // Without knowing the shared datastore, any connected ISO pins.
    expect(reasons('installer-01')).toEqual(['connected_iso']);
    expect(reasons('nfv-fw-01')).toEqual(['pci_passthrough']);
    expect(reasons('scratch-db-01')).toEqual(['local_storage']);
    expect(reasons('licence-server-01')).toEqual(['affinity_rule']);
    // The vCenter appliance migrates like any VM (RackOps treats it as a blocker for other reasons).
    expect(reasons('vcsa-01')).toEqual([]);
    expect(reasons('app-a-001')).toEqual([]);
  });

  it('lets vMotion carry an ISO on the shared datastore, but not one on a host-local datastore', () => {
    world = defaultWorld();
    const vm = [...world.vms.values()].find((v) => v.name === 'installer-01')!;
    expect(vm.devices.connectedIso).toMatch(/^\[lab-b-ds01\]/);
    expect(pinReasons(vm, 'lab-b-ds01')).toEqual([]);
    const local = { ...vm, devices: { ...vm.devices, connectedIso: '[datastore1 (esx-b05)] iso/x.iso' } };
    expect(pinReasons(local, 'lab-b-ds01')).toEqual(['connected_iso']);
  });

  it('moves every powered-on VM of a plain host onto other hosts within their capacity', () => {
    world = defaultWorld();
    const plan = planEvacuation(world, world.host('LABB001'), {
      evacuatePoweredOff: false,
      entering: new Set(),
    });
    expect(plan.insufficient).toBeUndefined();
    expect(plan.pinned).toEqual([]);
    const running = world.vmsOnHost('LABB001').filter((v) => v.powerState === 'poweredOn');
    expect(plan.moves.map((m) => m.vm.id).sort()).toEqual(running.map((v) => v.id).sort());
    expect(plan.moves.every((m) => m.to.clusterId === 'lab-b' && m.to.id !== 'LABB001')).toBe(true);
  });

  it('never targets hosts in maintenance mode, being evacuated, or not connected', () => {
    world = defaultWorld();
    world.setMaintenanceMode('LABA002', true);
    world.setConnectionState(world.host('LABA003'), 'notResponding');
    const plan = planEvacuation(world, world.host('LABA001'), {
      evacuatePoweredOff: false,
      entering: new Set(['LABA004']),
    });
    // Only LABA001 itself would be left: nowhere to go.
    expect(plan.insufficient).toMatch(/No host in cluster lab-a/);
  });

  it('treats the drsCannotEvacuate fault as pinning every powered-on VM', () => {
    world = defaultWorld();
    world.faults.set('LABB001', { drsCannotEvacuate: true });
    const plan = planEvacuation(world, world.host('LABB001'), {
      evacuatePoweredOff: false,
      entering: new Set(),
    });
    expect(plan.moves).toEqual([]);
    expect(plan.pinned.length).toBe(
      world.vmsOnHost('LABB001').filter((v) => v.powerState === 'poweredOn').length,
    );
    expect(plan.pinned.every((p) => p.reasons.includes('drs_cannot_evacuate'))).toBe(true);
  });
});
