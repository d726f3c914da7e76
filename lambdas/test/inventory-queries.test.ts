import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogXml } from '@rackops/core/catalog/catalog-build';
import { createCatalogMatcher } from '@rackops/core/catalog/catalog-match';
import { parseCatalogXml } from '@rackops/core/catalog/catalog-xml';
import { ingestInventoryPage } from '@rackops/core/inventory/ingest';
import type { InventoryGroupInput } from '@rackops/core/inventory/sync-page.schema';
import { serverParent, vcObjectId } from '@rackops/core/inventory/sync-page.schema';
import {
  AmbiguousReferenceError,
  complianceOfCluster,
  hostsOfCluster,
  serverByServiceTag,
} from '@rackops/core/inventory/queries';
import { NotFoundError } from '@rackops/core/util/errors';
import { captureFirmware, captureSystem } from '../../core/test/catalog/capture';
import { createComplianceQuery } from '../src/handlers/inventory-compliance';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

let t: TestStore;
const sys = captureSystem();
/** The captured R750 (F54P1G3) plus a second server on current firmware and a host with no Dell server. */
const CURRENT = 'CUR0001';

const catalog = parseCatalogXml(
  buildCatalogXml({
    components: [
      {
        path: 'BIOS_1.9.2.EXE',
        name: 'BIOS',
        vendorVersion: '1.9.2',
        devices: [{ componentId: '159', pci: [] }],
        systemIds: ['090E'],
        criticality: 'Urgent',
      },
      {
        path: 'iDRAC.EXE',
        name: 'iDRAC',
        vendorVersion: '6.10.80.00',
        devices: [{ componentId: '25227', pci: [] }],
        systemIds: ['090E'],
        rebootRequired: false,
      },
    ],
  }),
);

function vcenterGroups(vc: string): InventoryGroupInput[] {
  const cl = (n: number) => vcObjectId(vc, `domain-c${n}`);
  const host = (id: string, name: string, clusterId: string, extra: Record<string, unknown> = {}) => ({
    id,
    name,
    vcenterId: vc,
    clusterId,
    moref: `host-${name}`,
    connectionState: 'connected',
    inMaintenanceMode: false,
    cpuMhz: 1,
    memoryMiB: 1,
    ...extra,
  });
  return [
    {
      type: 'cluster',
      parent: vc,
      items: [1, 2].map((n) => ({
        id: cl(n),
        name: n === 1 ? 'prod' : 'dev',
        vcenterId: vc,
        moref: `domain-c${n}`,
      })),
    },
    {
      type: 'host',
      parent: cl(1),
      items: [
        host(sys.serviceTag, 'esx01', cl(1), { serviceTag: sys.serviceTag }),
        host(CURRENT, 'esx02', cl(1), { serviceTag: CURRENT }),
        host(vcObjectId(vc, 'host-77'), 'esx03', cl(1)),
      ],
    },
    { type: 'host', parent: cl(2), items: [] },
  ];
}

beforeAll(async () => {
  t = await startTestStore();
  await ingestInventoryPage(t.store, {
    v: 1,
    source: 'vcenter',
    sourceId: 'vc-a',
    runId: 'r1',
    seq: 0,
    last: true,
    groups: vcenterGroups('vc-a'),
  });
  const firmware = captureFirmware();
  const current = firmware.map((f) =>
    f.softwareId === '159'
      ? { ...f, version: '1.9.2' }
      : f.softwareId === '25227'
        ? { ...f, version: '6.10.80.00' }
        : f,
  );
  const server = (tag: string) => ({
    serviceTag: tag,
    model: sys.model,
    systemId: sys.systemId,
    idracId: tag,
    source: 'ome',
  });
  await ingestInventoryPage(t.store, {
    v: 1,
    source: 'ome',
    sourceId: 'ome-1',
    runId: 'r2',
    seq: 0,
    last: true,
    groups: [
      {
        type: 'server',
        parent: serverParent('ome', 'ome-1'),
        items: [server(sys.serviceTag), server(CURRENT)],
      },
      { type: 'firmware', parent: sys.serviceTag, items: firmware },
      { type: 'firmware', parent: CURRENT, items: current },
    ],
  });
});
afterAll(async () => {
  await t.close();
});

describe('inventory queries for chat', () => {
  it('lists the hosts of a cluster by name, sorted', async () => {
    const { cluster, hosts } = await hostsOfCluster(t.store, 'PROD');
    expect(cluster.id).toBe('vc-a/domain-c1');
    expect(hosts.map((h) => h.name)).toEqual(['esx01', 'esx02', 'esx03']);
  });

  it('says which cluster is meant when a name exists in two vCenters, and when none exists', async () => {
    await ingestInventoryPage(t.store, {
      v: 1,
      source: 'vcenter',
      sourceId: 'vc-b',
      runId: 'r3',
      seq: 0,
      last: true,
      groups: vcenterGroups('vc-b').slice(0, 1),
    });
    await expect(hostsOfCluster(t.store, 'prod')).rejects.toBeInstanceOf(AmbiguousReferenceError);
    await expect(hostsOfCluster(t.store, 'prod')).rejects.toThrow(
      /vc-a\/domain-c1.*vc-b\/domain-c1|vc-b\/domain-c1.*vc-a\/domain-c1/,
    );
    expect((await hostsOfCluster(t.store, 'vc-a/domain-c1')).hosts).toHaveLength(3);
    await expect(hostsOfCluster(t.store, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('shows a server by service tag with its firmware and its ESXi host', async () => {
    const d = await serverByServiceTag(t.store, sys.serviceTag.toLowerCase());
    expect(d?.server).toMatchObject({ serviceTag: 'F54P1G3', systemId: 2318 });
    expect(d?.firmware.length).toBe(captureFirmware().length);
    expect(d?.host?.name).toBe('esx01');
  });

  it('computes the compliance of a cluster: per host and per component, unlinked hosts unknown', async () => {
    const c = await complianceOfCluster(t.store, createCatalogMatcher(catalog), 'vc-a/domain-c1');
    expect(c).toMatchObject({
      hosts: 3,
      compliant: 1,
      needingUpdate: 1,
      unknown: 1,
      updates: { Urgent: 1, Recommended: 1 },
    });
    expect(c.rows.map((r) => [r.hostName, r.status, r.updatesNeeded])).toEqual([
      ['esx01', 'updates_available', 2],
      ['esx02', 'compliant', 0],
      ['esx03', 'unknown', 0],
    ]);
    const bios = c.detail[sys.serviceTag]?.components.find((x) => x.softwareId === '159');
    expect(bios).toMatchObject({
      installed: '1.8.2',
      available: '1.9.2',
      criticality: 'Urgent',
      rebootRequired: true,
    });
    expect(c.detail[sys.serviceTag]?.rebootRequired).toBe(true);
  });

  it('answers `compliance <cluster>` as a compact paginated table, loading the catalog once', async () => {
    let loads = 0;
    const query = createComplianceQuery({
      catalog: async () => {
        loads++;
        return catalog;
      },
    });
    const text = await query(t.store, 'vc-a/domain-c1');
    expect(text).toContain('**Compliance of prod**');
    // Two paragraphs: markdown joins lines of one paragraph into one run of text.
    expect(text).toMatch(/1\/3 compliant, 1 need updates, 1 unknown\n\nUpdates needed: /);
    expect(text).toMatch(/\| esx01 \| ⬆️ updates \| 2 \| Urgent \| yes \|/);
    expect(text).toMatch(/\| esx03 \| ❔ unknown \(no Dell server linked to this host\)/);
    await query(t.store, 'vc-a/domain-c1');
    expect(loads).toBe(1);
  });
});
