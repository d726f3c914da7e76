import type { Host, Vm } from '@rackops/core/inventory/inventory.schema';
import { ingestInventoryPage } from '@rackops/core/inventory/ingest';
import { hostsReportingTag } from '@rackops/core/inventory/queries';
import { acceptDrop } from '@rackops/core/inventory/drop-guard';
import { type InventoryGroupInput, vcObjectId } from '@rackops/core/inventory/sync-page.schema';
import type { Lab } from '@rackops/lab/index';
import { startLab } from '@rackops/lab/index';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { smallLab } from '@rackops/lab/testing/small-lab';
import type { DeviceRegistry } from '@rackops/relay-agent/devices/device-registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from './helpers/dynalite-store';
import { labDevices, labSync } from './helpers/lab-sync';

/**
 * Inventory integrity against the lab (real vCenter SOAP, the agent's handler, ingestion on dynalite): a read
 * that fails for some objects never marks anything gone on their account, a run much smaller than the last
 * good one waits for an operator, and two hosts reporting one service tag stay two hosts.
 */
const VC = { type: 'vcenter' as const, id: 'vc-test' };

function labOf(hosts: number, vmsPerHost: number, extra: (cfg: LabConfigInput) => void = () => {}) {
  const cfg = smallLab(hosts);
  const vc = cfg.vcenters[0]!;
  vc.quirks = { noPermissionOn: [] }; // its own array: a test changes it while the lab runs
  vc.vms = Array.from({ length: hosts * vmsPerHost }, (_, i) => ({
    name: `vm-${i}`,
    host: `TEST${String((i % hosts) + 1).padStart(3, '0')}`,
    cpuMhz: 100,
    memoryMiB: 512,
  }));
  extra(cfg);
  return cfg;
}

interface Running {
  lab: Lab;
  devices: DeviceRegistry;
}
const running: Running[] = [];
async function start(cfg: LabConfigInput): Promise<Running> {
  const lab = await startLab(cfg, { timeScale: 1 / 6000, services: { ome: false, control: false } });
  const r = { lab, devices: labDevices(lab) };
  running.push(r);
  return r;
}
async function stopAll(): Promise<void> {
  for (const r of running.splice(0)) {
    await r.devices.close();
    await r.lab.stop();
  }
}

// One Store per test: the labs reuse service tags, and a host is one record whatever vCenter reports it.
let t: TestStore;
beforeEach(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  await stopAll();
  await t?.close();
});

const liveVms = async (hostId: string) =>
  (await t.store.listRecordsByParent<Vm>('vm', hostId, { limit: 1000 })).items.filter((r) => !r.gone);

describe('a read that fails for some objects', () => {
  it('an unreadable VM marks no VM gone anywhere; hosts and clusters are still kept exact (defect 2)', async () => {
    const { lab, devices } = await start(labOf(3, 4));
    const first = await labSync(devices, t.store, 'inventory.vcenter', VC);
    expect(first.gone).toBe(0);
    const before = await liveVms('TEST002');
    expect(before).toHaveLength(4);

    // A VM the account may no longer read (NoPermission in missingSet) — its host is unknown to the read, so
    // no VM group is complete. A VM that really vanished meanwhile must wait for a complete read.
    const secret = [...lab.world.vms.values()].find((v) => v.name === 'vm-1')!; // on TEST002
    lab.world.vcenters.get('vc-test')!.quirks.noPermissionOn.push(secret.name);
    // A host this vCenter no longer has, stored the way a sync stores it (so its group's manifest knows it).
    const cluster = vcObjectId('vc-test', lab.world.cluster('test-a').moref);
    const stored = (await t.store.listRecordsByParent<Host>('host', cluster, { limit: 100 })).items;
    await ingestInventoryPage(t.store, {
      v: 1,
      source: 'vcenter',
      sourceId: 'vc-test',
      runId: 'run-ghost',
      seq: 0,
      last: false,
      groups: [
        {
          type: 'host',
          parent: cluster,
          items: [...stored.map((h) => h.data), { ...stored[0]!.data, id: 'GHOST01', moref: 'host-999' }],
        },
      ],
    });
    const partial = await labSync(devices, t.store, 'inventory.vcenter', VC);
    expect(partial.messages.join('\n')).toMatch(/VirtualMachine vm-\d+: unexpected properties/);
    expect(partial.messages.join('\n')).toMatch(/vms under TEST00\d were not all readable/);
    expect(await liveVms('TEST002')).toHaveLength(4); // the unreadable VM is kept as it was
    expect((await t.store.getRecord('vm', vcObjectId('vc-test', secret.moref)))?.gone).toBe(false);
    // The host group was read in full: a host that is not there any more is gone.
    expect((await t.store.getRecord('host', 'GHOST01'))?.gone).toBe(true);
    expect(partial.gone).toBe(1);

    // Readable again: a full read settles what the partial one could not.
    lab.world.vcenters.get('vc-test')!.quirks.noPermissionOn.length = 0;
    const again = await labSync(devices, t.store, 'inventory.vcenter', VC);
    expect(again).toMatchObject({ gone: 0, warnings: 0 });
  });

  it('a corrupted group of one host leaves every other object untouched, and a later full read settles it', async () => {
    const page = (seq: number, groups: InventoryGroupInput[]) => ({
      v: 1,
      source: 'vcenter',
      sourceId: 'vc-corrupt',
      runId: `run-${seq}`,
      seq: 0,
      last: true,
      groups,
    });
    const vm = (host: string, n: number): Vm => ({
      id: `vc-corrupt/vm-${host}-${n}`,
      name: `vm-${host}-${n}`,
      vcenterId: 'vc-corrupt',
      moref: `vm-${host}-${n}`,
      hostId: host,
      powerState: 'poweredOn',
      cpuMhz: 1,
      memoryMiB: 1,
      isVcenterAppliance: false,
      devices: {
        usbPassthrough: false,
        pciPassthrough: false,
        vgpu: false,
        faultTolerance: false,
        localStorage: false,
        affinityRules: [],
      },
    });
    const three = (host: string) => [vm(host, 1), vm(host, 2), vm(host, 3)];
    await ingestInventoryPage(
      t.store,
      page(1, [
        { type: 'vm', parent: 'HA', items: three('HA') },
        { type: 'vm', parent: 'HB', items: three('HB') },
      ]),
    );
    // Host HA's group lost a VM in a read that failed for it; host HB really lost one.
    const r = await ingestInventoryPage(
      t.store,
      page(2, [
        { type: 'vm', parent: 'HA', items: three('HA').slice(0, 2), complete: false },
        { type: 'vm', parent: 'HB', items: three('HB').slice(0, 2) },
      ]),
    );
    expect(r).toMatchObject({ gone: 1, incomplete: 1 });
    expect(await liveVms('HA')).toHaveLength(3);
    expect(await liveVms('HB')).toHaveLength(2);
    // The incomplete group left its children manifest dirty: the next full read of HA lists it and marks gone.
    const full = await ingestInventoryPage(
      t.store,
      page(3, [
        { type: 'vm', parent: 'HA', items: three('HA').slice(0, 2) },
        { type: 'vm', parent: 'HB', items: three('HB').slice(0, 2) },
      ]),
    );
    expect(full.gone).toBe(1);
    expect(await liveVms('HA')).toHaveLength(2);
  });
});

describe('a run much smaller than the last good one', () => {
  it('holds every gone-mark until an operator accepts; then the next sync marks the rest gone', async () => {
    const vc = { type: 'vcenter' as const, id: 'vc-drop' };
    const rename = (cfg: LabConfigInput) => {
      cfg.vcenters[0]!.id = 'vc-drop';
    };
    const big = await start(labOf(4, 5, rename));
    const first = await labSync(big.devices, t.store, 'inventory.vcenter', vc);
    expect(first.gone).toBe(0);
    await stopAll();

    // The same vCenter now answers with half its hosts and VMs: a broken read or a real shrink.
    const small = await start(labOf(2, 5, rename));
    const held = await labSync(small.devices, t.store, 'inventory.vcenter', vc);
    expect(held.gone).toBe(0);
    expect(held.messages.join('\n')).toContain('hosts 4 → 2');
    expect(held.messages.join('\n')).toContain('VMs 20 → 10');
    expect(held.messages.join('\n')).toContain('nothing was marked gone until an operator confirms');
    const hostRecords = (await t.store.listRecordsByType<Host>('host', { limit: 100 })).items.filter(
      (h) => h.data.vcenterId === 'vc-drop' && !h.gone,
    );
    expect(hostRecords).toHaveLength(4);
    // Held again while nobody answered.
    expect((await labSync(small.devices, t.store, 'inventory.vcenter', vc)).gone).toBe(0);

    await acceptDrop(t.store, {
      source: 'vcenter',
      sourceId: 'vc-drop',
      totals: { vcenter: 1, cluster: 1, host: 2, vm: 10, datastore: 1, network: 1 },
      actor: { kind: 'user', id: 'olga', name: 'Olga' },
      jobId: 'job-held',
      now: new Date(),
    });
    const accepted = await labSync(small.devices, t.store, 'inventory.vcenter', vc);
    expect(accepted.gone).toBeGreaterThan(0);
    const live = async (type: string) =>
      (await t.store.listRecordsByType<{ vcenterId: string }>(type, { limit: 1000 })).items.filter(
        (r) => r.data.vcenterId === 'vc-drop' && !r.gone,
      ).length;
    expect(await live('host')).toBe(2);
    expect(await live('vm')).toBe(small.lab.world.vms.size);
    expect(accepted.messages.join('\n')).not.toContain('far fewer');
    // The accepted run is the new yardstick: the next one is not held.
    const next = await labSync(small.devices, t.store, 'inventory.vcenter', vc);
    expect(next).toMatchObject({ gone: 0, warnings: 0 });
    const audit = await t.store.listAuditByJob('job-held');
    expect(audit.map((a) => a.action)).toContain('inventory.drop_accepted');
  });
});

describe('two hosts reporting one service tag', () => {
  it('are both kept, told apart by BIOS UUID, with a warning (defect 6)', async () => {
    const { devices } = await start(
      labOf(3, 1, (cfg) => {
        cfg.vcenters[0]!.id = 'vc-dup';
        const hosts = cfg.vcenters[0]!.clusters![0]!.hosts!;
        hosts[2] = { ...hosts[2]!, reportedServiceTag: 'TEST002' };
      }),
    );
    const r = await labSync(devices, t.store, 'inventory.vcenter', { type: 'vcenter', id: 'vc-dup' });
    expect(r.messages.join('\n')).toMatch(
      /duplicate service tag TEST002: hosts esx-t2\.lab\.local .*esx-t3\.lab\.local/,
    );
    const hosts = (await t.store.listRecordsByType<Host>('host', { limit: 100 })).items.filter(
      (h) => h.data.vcenterId === 'vc-dup' && !h.gone,
    );
    expect(hosts.map((h) => h.id).sort()).toEqual([
      'TEST001',
      expect.stringMatching(/^TEST002~[0-9a-f-]{36}$/i),
      expect.stringMatching(/^TEST002~[0-9a-f-]{36}$/i),
    ]);
    expect(new Set(hosts.map((h) => h.id)).size).toBe(3);
    expect(hosts.filter((h) => h.data.serviceTag === 'TEST002')).toHaveLength(2);
    // What `server TEST002` warns about.
    expect((await hostsReportingTag(t.store, 'TEST002')).map((h) => h.name).sort()).toEqual([
      'esx-t2.lab.local',
      'esx-t3.lab.local',
    ]);
    expect((await hostsReportingTag(t.store, 'TEST001')).map((h) => h.id)).toEqual(['TEST001']);
    // Stable: a resync writes nothing and marks nothing gone.
    const again = await labSync(devices, t.store, 'inventory.vcenter', { type: 'vcenter', id: 'vc-dup' });
    expect(again.written).toBe(0);
    expect(again.gone).toBe(0);
  });
});

describe('INVENTORY_DROP_THRESHOLD_PCT', () => {
  it('defaults to 20 %, takes 0–100, and refuses anything else with a clear message', async () => {
    const { dropThresholdFromEnv } = await import('../src/handlers/inventory-page.handler');
    expect(dropThresholdFromEnv({})).toBe(20);
    expect(dropThresholdFromEnv({ INVENTORY_DROP_THRESHOLD_PCT: '35' })).toBe(35);
    expect(() => dropThresholdFromEnv({ INVENTORY_DROP_THRESHOLD_PCT: '150' })).toThrow(
      /0 to 100, not "150"/,
    );
    expect(() => dropThresholdFromEnv({ INVENTORY_DROP_THRESHOLD_PCT: 'lots' })).toThrow(/percentage/);
  });
});
