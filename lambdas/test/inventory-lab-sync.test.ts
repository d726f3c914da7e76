import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogMatcher } from '@rackops/core/catalog/catalog-match';
import type { Vm } from '@rackops/core/inventory/inventory.schema';
import { complianceOfCluster, hostsOfCluster, serverByServiceTag } from '@rackops/core/inventory/queries';
import { vcObjectId } from '@rackops/core/inventory/sync-page.schema';
import type { Store } from '@rackops/core/ports/store.port';
import type { CommandKind } from '@rackops/core/relay/commands';
import type { CommandTarget } from '@rackops/core/relay/envelope';
import { type Lab, startLab } from '@rackops/lab/index';
import type { DeviceRegistry } from '@rackops/relay-agent/devices/device-registry';
import { loadCatalog } from '../src/handlers/inventory-catalog';
import { createComplianceQuery } from '../src/handlers/inventory-compliance';
import { startTestStore, type TestStore } from './helpers/dynalite-store';
import { labDevices, labSync } from './helpers/lab-sync';

/**
 * The whole inventory path minus the queues: the lab's vCenter, OME and iDRACs over HTTPS → the relay
 * agent's real inventory handlers (which stream pages) → the page handler → the Store on dynalite.
 */
let lab: Lab;
let t: TestStore;
let devices: DeviceRegistry;

beforeAll(async () => {
  lab = await startLab(undefined, { timeScale: 1 / 6000 });
  t = await startTestStore();
  devices = labDevices(lab);
});
afterAll(async () => {
  await devices?.close();
  await t?.close();
  await lab?.stop();
});

/** Run one of the agent's inventory handlers on the lab; its pages go to ingestion as the result handler would. */
async function sync(
  kind: CommandKind,
  target: CommandTarget,
  idrac: { ingest: boolean } = { ingest: true },
  store: Store = t.store,
): Promise<{ written: number; gone: number; warnings: number; output?: unknown }> {
  const { messages: _, ...totals } = await labSync(devices, store, kind, target, { idrac });
  return totals;
}

describe('inventory sync from the lab through the relay agent handlers', () => {
  it('stores the vCenter inventory as the lab has it, then writes nothing on a resync', async () => {
    const first = await sync('inventory.vcenter', { type: 'vcenter', id: 'vc-lab' });
    expect(first.warnings).toBe(0);
    expect(first.written).toBeGreaterThan(lab.world.vms.size + lab.world.hosts.size);
    for (const cluster of lab.world.clusters.values()) {
      const { hosts } = await hostsOfCluster(t.store, cluster.name);
      expect(hosts.map((h) => h.id).sort()).toEqual(
        lab.world
          .hostsInCluster(cluster.id)
          .map((h) => h.id)
          .sort(),
      );
    }
    const again = await sync('inventory.vcenter', { type: 'vcenter', id: 'vc-lab' });
    expect(again).toEqual({ written: 0, gone: 0, warnings: 0 });
  });

  it('writes exactly the VM that moved, and nothing is marked gone', async () => {
    const vm = [...lab.world.vms.values()].find((v) => !v.isVcenterAppliance && v.clusterId === 'lab-b')!;
    const target = lab.world.hostsInCluster('lab-b').find((h) => h.id !== vm.hostId)!;
    lab.world.moveVm(vm.id, target.id);
    const r = await sync('inventory.vcenter', { type: 'vcenter', id: 'vc-lab' });
    expect(r).toEqual({ written: 1, gone: 0, warnings: 0 });
    const rec = await t.store.getRecord<Vm>('vm', vcObjectId('vc-lab', vm.moref));
    expect(rec).toMatchObject({ parent: target.id, gone: false, data: { hostId: target.id } });
  });

  it('a preflight read (ingest: false) answers with the firmware and writes nothing to the inventory', async () => {
    const h = lab.world.hostsInCluster('lab-b')[0]!;
    const r = await sync('inventory.idrac', { type: 'idrac', id: h.id }, { ingest: false });
    expect(r).toMatchObject({ written: 0, gone: 0, warnings: 0 });
    expect((r.output as { firmware: unknown[] }).firmware.length).toBeGreaterThan(10);
    expect((await t.store.listRecordsByParent('firmware', h.id)).items).toEqual([]);
  });

  it('links hosts to Dell servers and computes cluster compliance against the lab catalog', async () => {
    for (const h of lab.world.hostsInCluster('lab-a'))
      await sync('inventory.idrac', { type: 'idrac', id: h.id });
    await sync('inventory.ome', { type: 'ome', id: 'ome-lab' });
    const tag = lab.world.hostsInCluster('lab-a')[0]!.id;
    const detail = await serverByServiceTag(t.store, tag);
    expect(detail?.server.systemId).toBe(2318); // from the iDRAC, kept across the OME sync
    expect(detail?.host?.id).toBe(tag);
    expect(detail?.firmware.length).toBeGreaterThan(10);

    const { catalog } = await loadCatalog({
      url: lab.endpoints.catalogUrl!,
      certSha256: lab.endpoints.vcenters[0]!.certSha256,
    });
    const c = await complianceOfCluster(t.store, createCatalogMatcher(catalog), 'lab-a');
    expect(c.hosts).toBe(4);
    expect(c.unknown).toBe(0);
    expect(c.needingUpdate).toBeGreaterThan(0);
    expect(c.compliant + c.needingUpdate).toBe(4);
    const row = c.rows[0]!;
    expect(row).toMatchObject({ status: 'updates_available', rebootRequired: true });
  });

  it('after only `inventory sync` (vCenter and OME, no iDRAC read yet), compliance has a verdict for every host', async () => {
    const fresh = await startTestStore();
    try {
      await sync('inventory.vcenter', { type: 'vcenter', id: 'vc-lab' }, undefined, fresh.store);
      await sync('inventory.ome', { type: 'ome', id: 'ome-lab' }, undefined, fresh.store);
      const catalog = { url: lab.endpoints.catalogUrl!, certSha256: lab.tls.certSha256 };
      const { catalog: loaded } = await loadCatalog(catalog);
      const c = await complianceOfCluster(fresh.store, createCatalogMatcher(loaded), 'lab-a');
      expect(c.hosts).toBe(lab.world.hostsInCluster('lab-a').length);
      expect(c.rows.filter((r) => r.status === 'unknown')).toEqual([]);
      // The lab's lab-a has one host on current firmware and the others outdated.
      expect(c.compliant).toBeGreaterThan(0);
      expect(c.needingUpdate).toBeGreaterThan(0);
      const text = await createComplianceQuery({ catalog })(fresh.store, 'lab-a');
      expect(text).not.toMatch(/SystemID unknown/);
      expect(text).toMatch(/0 unknown/);
    } finally {
      await fresh.close();
    }
  });
});
