import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

/**
 * Three VMs on two hosts of the small lab's cluster `test-a` (datastore `test-a-ds01`), and the vCenter's own
 * appliance on the same datastore, under a name no pattern would catch: only what vCenter reports marks it.
 */
function labWithVms() {
  const lab = smallLab(2);
  const vm = (name: string, host: string) => ({ name, host, cpuMhz: 1000, memoryMiB: 2048 });
  const [vc] = lab.vcenters;
  return {
    ...lab,
    vcenters: [
      {
        ...vc!,
        vms: [
          vm('web-01', 'TEST001'),
          vm('web-02', 'TEST001'),
          vm('db-01', 'TEST002'),
          { ...vm('mgmt-vc', 'TEST002'), isVcenterAppliance: true },
        ],
      },
    ],
  };
}

/** The agent's quiesced-snapshot commands against the lab vCenter (`vc-test`). */
describe('vm.quiesce-snapshot / vm.remove-snapshots against the lab vCenter', () => {
  let h: RelayHarness;
  const vc = { type: 'vcenter' as const, id: 'vc-test' };
  beforeAll(async () => {
    h = await RelayHarness.start({
      lab: labWithVms(),
      labOpts: { services: { ome: false, control: false } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const vms = () => [...h.lab.world.vms.values()].filter((v) => !v.isVcenterAppliance);
  const run = async (
    kind: 'vm.quiesce-snapshot' | 'vm.remove-snapshots',
    params: Record<string, unknown>,
  ) => {
    const env = h.envelope(kind, vc, { vcenterId: 'vc-test', ...params });
    await h.send(env);
    return h.waitForResult(env.id, 30_000);
  };
  const named = (name: string) =>
    vms().flatMap((v) => (v.snapshots ?? []).filter((s) => s.name === name).map((s) => ({ vm: v.moref, s })));

  it('takes one quiesced snapshot per VM, not twice on a redelivery, and removes them all', async () => {
    const members = vms()
      .slice(0, 2)
      .map((v) => v.moref);
    const first = await run('vm.quiesce-snapshot', { name: 'rackops-pg-j1', vms: members });
    expect(first.ok, JSON.stringify(first.error)).toBe(true);
    expect(first.output).toMatchObject({ vms: members, failed: [] });
    expect((first.output as { taken: { created: boolean }[] }).taken.map((t) => t.created)).toEqual([
      true,
      true,
    ]);
    expect(named('rackops-pg-j1').map((x) => x.s.quiesced)).toEqual([true, true]);
    const again = await run('vm.quiesce-snapshot', { name: 'rackops-pg-j1', vms: members });
    expect((again.output as { taken: { created: boolean }[] }).taken.map((t) => t.created)).toEqual([
      false,
      false,
    ]);
    expect(named('rackops-pg-j1')).toHaveLength(2);

    const removed = await run('vm.remove-snapshots', { name: 'rackops-pg-j1', vms: members });
    expect(removed.ok, JSON.stringify(removed.error)).toBe(true);
    expect((removed.output as { removed: unknown[] }).removed).toHaveLength(2);
    expect(named('rackops-pg-j1')).toEqual([]);
    // Removing again finds nothing and is fine.
    expect((await run('vm.remove-snapshots', { name: 'rackops-pg-j1', vms: members })).ok).toBe(true);
  });

  it('every VM on a datastore; a VM whose quiesce fails is named and the others are taken', async () => {
    const victim = vms()[0]!;
    h.lab.world.faults.set(victim.hostId, { vmQuiesceFails: true });
    try {
      const out = await run('vm.quiesce-snapshot', { name: 'rackops-pg-j2', datastore: 'test-a-ds01' });
      expect(out.ok, JSON.stringify(out.error)).toBe(true);
      const o = out.output as {
        vms: string[];
        taken: { vm: string }[];
        failed: { vm: string; reason: string }[];
      };
      const onVictimHost = vms().filter((v) => v.hostId === victim.hostId && o.vms.includes(v.moref));
      expect(o.vms.length).toBeGreaterThan(onVictimHost.length);
      expect(o.failed.map((f) => f.vm).sort()).toEqual(onVictimHost.map((v) => v.moref).sort());
      expect(o.failed[0]?.reason).toContain('quiescing');
      expect(o.taken.length).toBe(o.vms.length - o.failed.length);
      expect((await run('vm.remove-snapshots', { name: 'rackops-pg-j2', datastore: 'test-a-ds01' })).ok).toBe(
        true,
      );
      expect(named('rackops-pg-j2')).toEqual([]);
    } finally {
      h.lab.world.faults.clear(victim.hostId);
    }
  });

  it("every VM on a datastore never quiesces vCenter's own appliance, and names it as skipped", async () => {
    const vcsa = [...h.lab.world.vms.values()].find((v) => v.isVcenterAppliance)!;
    const out = await run('vm.quiesce-snapshot', { name: 'rackops-pg-j3', datastore: 'test-a-ds01' });
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    const o = out.output as {
      vms: string[];
      taken: { vm: string }[];
      skipped: { vm: string; vmName: string; reason: string }[];
    };
    expect(o.skipped).toEqual([
      { vm: vcsa.moref, vmName: 'mgmt-vc', reason: "vCenter's own appliance: never quiesced" },
    ]);
    expect(o.vms).not.toContain(vcsa.moref);
    expect(o.taken.map((t) => t.vm).sort()).toEqual(
      vms()
        .map((v) => v.moref)
        .sort(),
    );
    expect((vcsa.snapshots ?? []).filter((s) => s.name === 'rackops-pg-j3')).toEqual([]);
    expect((await run('vm.remove-snapshots', { name: 'rackops-pg-j3', datastore: 'test-a-ds01' })).ok).toBe(
      true,
    );
    expect(named('rackops-pg-j3')).toEqual([]);
    // Named explicitly, it is the operator's choice: taken like any VM.
    const named3 = await run('vm.quiesce-snapshot', { name: 'rackops-pg-j4', vms: [vcsa.moref] });
    expect(named3.output).toMatchObject({ skipped: [], taken: [{ vm: vcsa.moref }] });
    await run('vm.remove-snapshots', { name: 'rackops-pg-j4', vms: [vcsa.moref] });
  });

  it('refuses a snapshot name that is not plain, and an unknown datastore', async () => {
    const bad = h.envelope('vm.quiesce-snapshot', vc, { vcenterId: 'vc-test', name: 'x; y', vms: ['vm-1'] });
    await h.send(bad);
    const rejected = await h.waitFor('rejection', () =>
      h.messages.find((m) => m.type === 'rejected' && m.commandId === bad.id),
    );
    expect(JSON.stringify(rejected)).toContain('params.name');
    const none = await run('vm.quiesce-snapshot', { name: 'rackops-x', datastore: 'nope' });
    expect(none.ok).toBe(false);
    expect(JSON.stringify(none.error)).toContain('datastore nope is not on vCenter vc-test');
  });
});
