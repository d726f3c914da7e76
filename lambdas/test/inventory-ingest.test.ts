import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestInventoryPage } from '@rackops/core/inventory/ingest';
import type { FirmwareComponent, Vm } from '@rackops/core/inventory/inventory.schema';
import { hostsOfCluster, serverByServiceTag, serverForHost } from '@rackops/core/inventory/queries';
import { inventorySyncOutcome } from '@rackops/core/inventory/sync-job';
import {
  type InventoryGroupInput,
  type InventoryPageInput,
  type PageHost,
  type PageServer,
  serverParent,
  vcObjectId,
} from '@rackops/core/inventory/sync-page.schema';
import { SYSTEM } from '@rackops/core/jobs/job.schema';
import { createInventoryPageHandler } from '../src/handlers/inventory-page.handler';
import { startTestStore, type TestStore } from './helpers/dynalite-store';

let t: TestStore;
beforeAll(async () => {
  t = await startTestStore();
});
afterAll(async () => {
  await t.close();
});

/** Each test gets its own vCenter id, so tests share one table without seeing each other. */
let vc = '';
let seq = 0;
beforeEach(() => {
  vc = `vc-${++seq}`;
});

const clusterId = () => vcObjectId(vc, 'domain-c1');
/** Service tags are global: each test gets its own hosts, or one test's VMs would vanish from another's host. */
const A = () => `A${String(seq).padStart(6, '0')}`;
const B = () => `B${String(seq).padStart(6, '0')}`;
const host = (tag: string, extra: Partial<PageHost> = {}): PageHost => ({
  id: tag,
  name: `esx-${tag.toLowerCase()}`,
  vcenterId: vc,
  clusterId: clusterId(),
  moref: `host-${tag}`,
  serviceTag: tag,
  connectionState: 'connected',
  powerState: 'poweredOn',
  inMaintenanceMode: false,
  cpuMhz: 64_000,
  memoryMiB: 262_144,
  ...extra,
});
const vm = (n: number, hostId: string, extra: Partial<Vm> = {}): Vm => ({
  id: vcObjectId(vc, `vm-${n}`),
  name: `vm-${n}`,
  vcenterId: vc,
  moref: `vm-${n}`,
  hostId,
  clusterId: clusterId(),
  powerState: 'poweredOn',
  cpuMhz: 1000,
  memoryMiB: 4096,
  isVcenterAppliance: false,
  devices: {
    usbPassthrough: false,
    pciPassthrough: false,
    vgpu: false,
    faultTolerance: false,
    localStorage: false,
    affinityRules: [],
  },
  ...extra,
});

function page(groups: InventoryGroupInput[], extra: Partial<InventoryPageInput> = {}): InventoryPageInput {
  return { v: 1, source: 'vcenter', sourceId: vc, runId: `run-${vc}`, seq: 0, last: true, groups, ...extra };
}

/** A small vCenter: one cluster, hosts A and B, VMs 1-2 on A and 3 on B, one datastore, one network. */
function fullInventory(over: { a?: Vm[]; b?: Vm[]; hosts?: PageHost[] } = {}): InventoryGroupInput[] {
  const hosts = over.hosts ?? [host(A()), host(B())];
  return [
    { type: 'vcenter', parent: vc, items: [{ id: vc, name: vc, version: '8.0.3' }] },
    {
      type: 'cluster',
      parent: vc,
      items: [{ id: clusterId(), name: `prod-${vc}`, vcenterId: vc, moref: 'domain-c1', production: true }],
    },
    { type: 'host', parent: clusterId(), items: hosts },
    { type: 'vm', parent: A(), items: over.a ?? [vm(1, A()), vm(2, A())] },
    { type: 'vm', parent: B(), items: over.b ?? [vm(3, B())] },
    {
      type: 'datastore',
      parent: vc,
      items: [
        {
          id: vcObjectId(vc, 'datastore-1'),
          name: 'shared',
          vcenterId: vc,
          type: 'VMFS',
          capacityBytes: 1e12,
          freeBytes: 5e11,
          hostIds: [A(), B()],
        },
      ],
    },
    {
      type: 'network',
      parent: vc,
      items: [{ id: vcObjectId(vc, 'network-1'), name: 'VM Network', vcenterId: vc, type: 'Network' }],
    },
  ];
}

describe('incremental inventory ingestion on dynalite', () => {
  it('creates every object on the first sync and writes nothing when nothing changed', async () => {
    const first = await ingestInventoryPage(t.store, page(fullInventory()));
    expect(first).toMatchObject({ groups: 7, items: 9, written: 9, unchanged: 0, gone: 0, warnings: [] });
    const { cluster, hosts } = await hostsOfCluster(t.store, `prod-${vc}`);
    expect(cluster.production).toBe(true);
    expect(hosts.map((h) => h.id)).toEqual([A(), B()]);
    expect((await t.store.getRecord<Vm>('vm', vcObjectId(vc, 'vm-2')))?.data.hostId).toBe(A());

    const second = await ingestInventoryPage(t.store, page(fullInventory()));
    expect(second).toMatchObject({ written: 0, unchanged: 9, gone: 0 });
  });

  it('writes only the item whose content changed', async () => {
    await ingestInventoryPage(t.store, page(fullInventory()));
    const before = await t.store.getRecord('vm', vcObjectId(vc, 'vm-1'));
    const r = await ingestInventoryPage(
      t.store,
      page(fullInventory({ a: [vm(1, A(), { powerState: 'poweredOff' }), vm(2, A())] })),
    );
    expect(r).toMatchObject({ written: 1, unchanged: 8, gone: 0 });
    const after = await t.store.getRecord<Vm>('vm', vcObjectId(vc, 'vm-1'));
    expect(after?.data.powerState).toBe('poweredOff');
    expect(after?.version).toBe((before?.version ?? 0) + 1);
  });

  it('marks a vanished VM gone, and brings it back when it reappears', async () => {
    await ingestInventoryPage(t.store, page(fullInventory()));
    const r = await ingestInventoryPage(t.store, page(fullInventory({ a: [vm(1, A())] })));
    expect(r).toMatchObject({ written: 0, gone: 1 });
    expect((await t.store.getRecord('vm', vcObjectId(vc, 'vm-2')))?.gone).toBe(true);
    const back = await ingestInventoryPage(t.store, page(fullInventory()));
    expect(back).toMatchObject({ written: 1, gone: 0 });
    expect((await t.store.getRecord('vm', vcObjectId(vc, 'vm-2')))?.gone).toBe(false);
  });

  it('marks a vanished host gone together with the VMs stored under it', async () => {
    await ingestInventoryPage(t.store, page(fullInventory()));
    const groups = fullInventory({ hosts: [host(A())] }).filter((g) => g.parent !== B());
    const r = await ingestInventoryPage(t.store, page(groups));
    expect(r.gone).toBe(2); // host B and vm-3
    expect((await t.store.getRecord('host', B()))?.gone).toBe(true);
    expect((await t.store.getRecord('vm', vcObjectId(vc, 'vm-3')))?.gone).toBe(true);
    const { hosts } = await hostsOfCluster(t.store, clusterId());
    expect(hosts.map((h) => h.id)).toEqual([A()]);
  });

  it('does not mark a VM gone that moved to another host, whichever page arrives first', async () => {
    await ingestInventoryPage(t.store, page(fullInventory()));
    const moved = vm(2, B());
    const groupsAfterMove = fullInventory({ a: [vm(1, A())], b: [vm(3, B()), moved] });
    const oldHost = groupsAfterMove.filter((g) => g.parent === A());
    const newHost = groupsAfterMove.filter((g) => g.parent === B());
    // New host's page first, then the old host's: the old host's listing no longer holds vm-2.
    await ingestInventoryPage(t.store, page(newHost, { seq: 1, last: false }));
    await ingestInventoryPage(t.store, page(oldHost, { seq: 2 }));
    const rec = await t.store.getRecord<Vm>('vm', vcObjectId(vc, 'vm-2'));
    expect(rec).toMatchObject({ gone: false, parent: B() });
    expect(rec?.data.hostId).toBe(B());

    // And back, old host's page first: vm-2 is marked gone under A, then written again under B.
    await ingestInventoryPage(t.store, page(fullInventory().filter((g) => g.parent === A())));
    await ingestInventoryPage(t.store, page(groupsAfterMove.filter((g) => g.parent === A())));
    await ingestInventoryPage(t.store, page(newHost));
    expect(await t.store.getRecord('vm', vcObjectId(vc, 'vm-2'))).toMatchObject({
      gone: false,
      parent: B(),
    });
  });
});

describe('bad data from a device', () => {
  it('records missing fields, duplicates, unknown types and wrong parents as warnings and keeps stored items', async () => {
    await ingestInventoryPage(t.store, page(fullInventory()));
    const broken = vm(1, A()) as Partial<Vm>;
    delete broken.powerState;
    const r = await ingestInventoryPage(
      t.store,
      page([
        {
          type: 'vm',
          parent: A(),
          items: [broken, vm(2, A()), vm(2, A(), { name: 'dupe' }), 'garbage'],
        },
        { type: 'vm', parent: B(), items: [vm(3, A())] },
        { type: 'toaster', parent: vc, items: [{ id: 't1' }] },
      ]),
    );
    expect(r.warnings.map((w) => w.code).sort()).toEqual(
      ['duplicate_item', 'invalid_item', 'invalid_item', 'parent_mismatch', 'unknown_type'].sort(),
    );
    expect(r.warnings.find((w) => w.id === vcObjectId(vc, 'vm-1'))?.message).toMatch(
      /powerState.*stored record kept/,
    );
    // vm-1 (invalid) is neither overwritten nor gone; vm-2 keeps its first occurrence; vm-3 is untouched.
    expect(await t.store.getRecord('vm', vcObjectId(vc, 'vm-1'))).toMatchObject({
      gone: false,
      data: { powerState: 'poweredOn' },
    });
    expect(await t.store.getRecord('vm', vcObjectId(vc, 'vm-2'))).toMatchObject({ data: { name: 'vm-2' } });
    expect(await t.store.getRecord('vm', vcObjectId(vc, 'vm-3'))).toMatchObject({
      gone: false,
      data: { hostId: B() },
    });
    expect(r.gone).toBe(0);
  });

  it('records an item too large for the Store as a warning instead of failing the page', async () => {
    await ingestInventoryPage(t.store, page(fullInventory()));
    const huge = vm(2, A(), { name: 'x'.repeat(450 * 1024) });
    const r = await ingestInventoryPage(
      t.store,
      page([{ type: 'vm', parent: A(), items: [vm(1, A()), huge] }]),
    );
    expect(r.warnings.map((w) => w.code)).toEqual(['invalid_item']);
    expect(r.warnings[0]?.message).toMatch(/limit.*stored record kept/);
    expect(await t.store.getRecord('vm', vcObjectId(vc, 'vm-2'))).toMatchObject({
      gone: false,
      data: { name: 'vm-2' },
    });
  });

  it('turns a malformed page into one warning and writes nothing', async () => {
    const r = await ingestInventoryPage(t.store, { v: 1, source: 'vcenter', groups: 'nope' });
    expect(r).toMatchObject({ written: 0, gone: 0 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.code).toBe('malformed_page');
  });

  it('records warnings and page counts on the sync job through the page handler', async () => {
    const now = new Date().toISOString();
    const job = await t.store.createJob({
      id: `job-${vc}`,
      type: 'inventory_sync',
      target: { kind: 'vcenter', id: vc },
      params: { source: 'vcenter', sourceId: vc },
      details: {},
      createdBy: SYSTEM,
      createdAt: now,
      scheduleAt: now,
      requiresApproval: false,
    });
    const onPage = createInventoryPageHandler({ store: t.store });
    await onPage(
      page(fullInventory(), { warnings: ['host-77: hardware info unavailable'] }) as Record<string, unknown>,
      {
        commandId: 'cmd-1',
        jobId: job.id,
      },
    );
    const log = await t.store.listLog(job.id);
    const lines = log.items.map((l) => `${l.level}: ${l.message}`);
    expect(lines).toContain('warn: host-77: hardware info unavailable');
    expect(lines.some((l) => /^info: inventory page 0 \(last\): 9 items, 9 written/.test(l))).toBe(true);
    expect((await t.store.getJob(job.id))?.details).toMatchObject({
      inventoryLastPage: 0,
      inventory: { pages: 1, items: 9, written: 9, gone: 0, warnings: 1, sawLast: true },
    });
    expect(await t.store.listJobItems(job.id, 'note')).toHaveLength(1);
    expect(await inventorySyncOutcome(t.store, job.id)).toMatchObject({
      complete: true,
      summary: 'inventory synced: 1 pages, 9 items, 9 written, 0 unchanged, 0 gone, 1 warnings',
    });
  });
});

describe('Dell servers and host ↔ server links', () => {
  const server = (tag: string, extra: Partial<PageServer> = {}): PageServer => ({
    serviceTag: tag,
    model: 'PowerEdge R750',
    systemId: 2318,
    idracId: tag,
    source: 'ome',
    ...extra,
  });
  const fw = (id: string, version: string): FirmwareComponent => ({
    id,
    name: id.split('__')[1] ?? id,
    version,
    softwareId: id.split('-')[1] ?? '0',
    fqdd: id.split('__')[1],
    updateable: true,
  });

  it('stores servers by service tag with their firmware, and links hosts by service tag or chassis serial', async () => {
    const ome = `ome-${vc}`;
    const tagA = `SA${seq}AAAA`.slice(0, 7);
    const tagB = `SB${seq}BBBB`.slice(0, 7);
    const r = await ingestInventoryPage(t.store, {
      ...page([
        {
          type: 'server',
          parent: serverParent('ome', ome),
          items: [server(tagA), server(tagB, { serialNumber: `CN${seq}SERIAL` })],
        },
        { type: 'firmware', parent: tagA, items: [fw('Installed-159-1.8.2__BIOS.Setup.1-1', '1.8.2')] },
        { type: 'firmware', parent: tagB, items: [fw('Installed-159-1.8.2__BIOS.Setup.1-1', '1.8.2')] },
      ]),
      source: 'ome',
      sourceId: ome,
    });
    expect(r).toMatchObject({ written: 4, warnings: [] });
    // Firmware member ids repeat on every server; records are per server.
    expect((await serverByServiceTag(t.store, tagA))?.firmware.map((f) => f.version)).toEqual(['1.8.2']);

    // Host A: vCenter reports the service tag. Host B: vCenter only knows the chassis serial.
    await ingestInventoryPage(
      t.store,
      page([
        {
          type: 'host',
          parent: clusterId(),
          items: [
            host(tagA),
            host(`${vc}/host-9`, { serviceTag: undefined, serialNumber: `cn${seq}serial` }),
          ],
        },
      ]),
    );
    expect(await serverForHost(t.store, host(tagA))).toMatchObject({
      via: 'serviceTag',
      server: { serviceTag: tagA },
    });
    expect(
      await serverForHost(t.store, { id: `${vc}/host-9`, serialNumber: `cn${seq}serial` }),
    ).toMatchObject({ via: 'serial', server: { serviceTag: tagB } });
    expect(await serverByServiceTag(t.store, `CN${seq}SERIAL`)).toMatchObject({
      server: { serviceTag: tagB },
    });
    expect((await serverByServiceTag(t.store, tagA))?.host?.name).toBe(`esx-${tagA.toLowerCase()}`);
    expect(await serverForHost(t.store, { id: 'NOPE123' })).toBeUndefined();
  });

  it('keeps what the iDRAC said when OME leaves a field out, and still writes nothing on an unchanged resync', async () => {
    const tag = `SM${seq}MMMM`.slice(0, 7);
    const ome = `ome-${vc}`;
    await ingestInventoryPage(t.store, {
      ...page([
        {
          type: 'server',
          parent: serverParent('idrac', tag),
          items: [server(tag, { source: 'idrac', serialNumber: 'CNX' })],
        },
      ]),
      source: 'idrac',
      sourceId: tag,
    });
    const fromOme = { serviceTag: tag, model: 'PowerEdge R750', idracId: tag, source: 'ome', health: 'OK' };
    const omePage = {
      ...page([{ type: 'server', parent: serverParent('ome', ome), items: [fromOme] }]),
      source: 'ome' as const,
      sourceId: ome,
    };
    expect((await ingestInventoryPage(t.store, omePage)).written).toBe(1);
    expect((await t.store.getRecord('server', tag))?.data).toMatchObject({
      systemId: 2318,
      serialNumber: 'CNX',
      source: 'ome',
      health: 'OK',
    });
    expect((await ingestInventoryPage(t.store, omePage)).written).toBe(0);
  });

  it('marks a server that left OME gone with its firmware', async () => {
    const ome = `ome-${vc}`;
    const parent = serverParent('ome', ome);
    const tag = `SG${seq}GGGG`.slice(0, 7);
    await ingestInventoryPage(t.store, {
      ...page([
        { type: 'server', parent, items: [server(tag)] },
        { type: 'firmware', parent: tag, items: [fw('Installed-159-1.8.2__BIOS.Setup.1-1', '1.8.2')] },
      ]),
      source: 'ome',
      sourceId: ome,
    });
    const r = await ingestInventoryPage(t.store, {
      ...page([{ type: 'server', parent, items: [] }]),
      source: 'ome',
      sourceId: ome,
    });
    expect(r.gone).toBe(2);
    expect(await serverByServiceTag(t.store, tag)).toBeUndefined();
  });
});
