import { InventoryPage } from '@rackops/core/inventory/sync-page.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayHarness } from './helpers/relay-harness';
import { DEFAULT_LAB } from '@rackops/lab/index';

/** Against the default lab: vCenter `vc-lab`, clusters lab-a (4 hosts) and lab-b (8), 120 VMs with known blockers. */
describe('vSphere commands against the lab vCenter', () => {
  let h: RelayHarness;
  const vc = { type: 'vcenter' as const, id: 'vc-lab' };
  beforeAll(async () => {
    h = await RelayHarness.start({ labOpts: { services: { ome: false, control: false } } });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const cluster = (id: string) => h.lab.world.cluster(id);
  const run = async (env: ReturnType<RelayHarness['envelope']>) => {
    await h.send(env);
    const r = await h.waitForResult(env.id, 30_000);
    expect(r.ok, `${env.kind}: ${JSON.stringify(r.error)}`).toBe(true);
    return r.output as Record<string, unknown>;
  };

  it('relaxes HA admission control once, keeps the original, and restores it', async () => {
    const moref = cluster('lab-b').moref;
    const relax = h.envelope('cluster.ha-relax', vc, { clusterMoref: moref, vcenterId: 'vc-lab' });
    const out = await run(relax);
    expect(out.original).toMatchObject({ haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 });
    expect(out).toMatchObject({
      relaxed: { haEnabled: true, admissionControlEnabled: false },
      alreadyRelaxed: false,
    });
    expect(h.lab.world.cluster('lab-b').ha).toMatchObject({ admissionControlEnabled: false });
    // A second relax (a retried step) changes nothing and says so.
    const again = await run(h.envelope('cluster.ha-relax', vc, { clusterMoref: moref, vcenterId: 'vc-lab' }));
    expect(again.alreadyRelaxed).toBe(true);
    const restored = await run(
      h.envelope('cluster.ha-restore', vc, {
        clusterMoref: moref,
        vcenterId: 'vc-lab',
        settings: out.original,
      }),
    );
    expect(restored).toMatchObject({
      restored: { admissionControlEnabled: true, failoverLevel: 1 },
      alreadyRestored: false,
    });
    expect(h.lab.world.cluster('lab-b').ha).toMatchObject({ admissionControlEnabled: true });
  });

  it('scans blockers per host with the reasons the lab planted', async () => {
    const out = await run(
      h.envelope('cluster.scan-blockers', vc, { clusterMoref: cluster('lab-b').moref, vcenterId: 'vc-lab' }),
    );
    const hosts = out.hosts as { hostId: string; blockers: { reason: string; vmName: string }[] }[];
    expect(hosts).toHaveLength(8);
    const reasons = (id: string) => hosts.find((x) => x.hostId === id)?.blockers.map((b) => b.reason) ?? [];
    expect(reasons('LABB002')).toContain('usb_passthrough');
    expect(reasons('LABB003')).toContain('vgpu');
    expect(reasons('LABB004')).toContain('fault_tolerance');
    expect(reasons('LABB005')).toContain('connected_iso');
    expect(reasons('LABB006')).toContain('pci_passthrough');
    const a = await run(
      h.envelope('cluster.scan-blockers', vc, { clusterMoref: cluster('lab-a').moref, vcenterId: 'vc-lab' }),
    );
    const ah = a.hosts as { hostId: string; blockers: { reason: string }[] }[];
    const ar = (id: string) => ah.find((x) => x.hostId === id)?.blockers.map((b) => b.reason) ?? [];
    expect(ar('LABA001')).toContain('vcenter_appliance');
    expect(ar('LABA002')).toContain('local_storage');
    expect(ar('LABA003')).toContain('affinity_rule');
    // Severity follows what DRS can do: a must-run rule pins the VM; an ISO on the shared datastore moves with it.
    const sev = (list: typeof ah, id: string, reason: string) =>
      ((list.find((x) => x.hostId === id)?.blockers ?? []) as { reason: string; severity: string }[]).find(
        (b) => b.reason === reason,
      )?.severity;
    expect(sev(ah, 'LABA003', 'affinity_rule')).toBe('critical');
    expect(sev(hosts as typeof ah, 'LABB005', 'connected_iso')).toBe('warning');
  });

  it('enters maintenance mode once (DRS evacuates), and exits', async () => {
    const enter = await run(
      h.envelope('host.enter-maintenance', vc, { hostId: 'LABB008', vcenterId: 'vc-lab' }),
    );
    expect(enter).toMatchObject({ inMaintenanceMode: true, alreadyInMaintenance: false });
    expect(h.lab.world.host('LABB008').inMaintenanceMode).toBe(true);
    expect(h.lab.world.vmsOnHost('LABB008').filter((v) => v.powerState === 'poweredOn')).toHaveLength(0);
    const again = await run(
      h.envelope('host.enter-maintenance', vc, { hostId: 'LABB008', vcenterId: 'vc-lab' }),
    );
    expect(again).toMatchObject({ alreadyInMaintenance: true });
    const exit = await run(
      h.envelope('host.exit-maintenance', vc, { hostId: 'LABB008', vcenterId: 'vc-lab' }),
    );
    expect(exit).toEqual({ inMaintenanceMode: false, alreadyOut: false });
  });

  it('powers a VM off gracefully and on again, idempotently', async () => {
    const vm = h.lab.world.vmsOnHost('LABB007').find((v) => v.powerState === 'poweredOn');
    expect(vm).toBeDefined();
    const moref = vm?.moref ?? '';
    const off = await run(
      h.envelope('vm.power', vc, { vcenterId: 'vc-lab', vmMoref: moref, state: 'off', timeoutSeconds: 5 }),
    );
    expect(off).toEqual({ powerState: 'poweredOff', changed: true });
    const offAgain = await run(
      h.envelope('vm.power', vc, { vcenterId: 'vc-lab', vmMoref: moref, state: 'off' }),
    );
    expect(offAgain.changed).toBe(false);
    const on = await run(h.envelope('vm.power', vc, { vcenterId: 'vc-lab', vmMoref: moref, state: 'on' }));
    expect(on).toEqual({ powerState: 'poweredOn', changed: true });
  });

  it('streams the vCenter inventory as pages the ingestion schema accepts', async () => {
    const env = h.envelope('inventory.vcenter', vc, { pageSize: 50 });
    const out = await run(env);
    const pages = h.messages
      .filter((m) => m.type === 'progress' && m.commandId === env.id && m.page)
      .map((m) => InventoryPage.parse((m as { page: unknown }).page));
    expect(pages.length).toBe(out.pages);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.at(-1)?.last).toBe(true);
    expect(pages.map((p) => p.seq)).toEqual(pages.map((_, i) => i));
    const items = (type: string) =>
      pages.flatMap((p) => p.groups.filter((g) => g.type === type).flatMap((g) => g.items));
    expect(items('host')).toHaveLength(12);
    expect(items('vm').length).toBe(h.lab.world.vms.size);
    expect(items('cluster')).toHaveLength(2);
    expect((items('host') as { id: string }[]).map((x) => x.id)).toContain('LABA001');
    expect(out.counts).toMatchObject({ host: 12, cluster: 2 });
  });
});

describe('production clusters from a vCenter custom attribute', () => {
  let h: RelayHarness | undefined;
  afterAll(async () => {
    await h?.stop();
  });

  it('marks a cluster production when its `rackops.production` attribute says true, and only then', async () => {
    const lab = structuredClone(DEFAULT_LAB);
    const clusters = lab.vcenters[0]?.clusters ?? [];
    for (const c of clusters) {
      if (c.name === 'lab-b') c.customAttributes = { owner: 'dba-team', 'rackops.production': 'true' };
      if (c.name === 'lab-a') c.customAttributes = { 'rackops.production': 'no' };
    }
    h = await RelayHarness.start({ lab, labOpts: { services: { ome: false, control: false } } });
    const env = h.envelope('inventory.vcenter', { type: 'vcenter', id: 'vc-lab' }, { pageSize: 500 });
    await h.send(env);
    expect((await h.waitForResult(env.id, 30_000)).ok).toBe(true);
    const found = h.messages
      .filter((m) => m.type === 'progress' && m.commandId === env.id && m.page)
      .flatMap((m) => InventoryPage.parse((m as { page: unknown }).page).groups)
      .filter((g) => g.type === 'cluster')
      .flatMap((g) => g.items as { name: string; production: boolean }[]);
    expect(Object.fromEntries(found.map((c) => [c.name, c.production]))).toEqual({
      'lab-a': false,
      'lab-b': true,
    });
  });
});

describe('waiting for a vCenter task', () => {
  let h: RelayHarness | undefined;
  afterAll(async () => {
    await h?.stop();
  });

  it('sees the end when it happens (WaitForUpdatesEx on the task), not at the next poll', async () => {
    // 1/10: leaving maintenance mode takes the lab 0.5 s; a poll every 20 s would first look after 2.5 s.
    h = await RelayHarness.start({
      labOpts: { timeScale: 1 / 10, services: { ome: false, control: false } },
    });
    const host = h.lab.world.hostsInCluster('lab-a')[0]!;
    h.lab.world.setMaintenanceMode(host.id, true);
    const vc = h.vcenter('vc-lab');
    const hostRef = { type: 'HostSystem', value: host.moref };
    const task = await vc.exitMaintenanceMode(hostRef, 60);
    const started = Date.now();
    await vc.waitForTask(task, { timeoutMs: 30_000, pollMs: 20_000 });
    const took = Date.now() - started;
    expect(h.lab.world.host(host.id).inMaintenanceMode).toBe(false);
    expect(took).toBeGreaterThan(300);
    expect(took).toBeLessThan(2000);
  });
});
