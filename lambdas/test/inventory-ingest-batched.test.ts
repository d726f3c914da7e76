import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILDREN_MANIFEST_TYPE, DIRTY_MANIFEST } from '@rackops/core/inventory/children-manifest';
import { ingestInventoryPage } from '@rackops/core/inventory/ingest';
import type { Vm } from '@rackops/core/inventory/inventory.schema';
import {
  type InventoryGroupInput,
  type PageHost,
  vcObjectId,
} from '@rackops/core/inventory/sync-page.schema';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { createDynamoStore, type DynamoStore } from '../src/adapters/dynamo-store';
import { observeDynamoCalls } from '../src/adapters/dynamo/lean-client';

/**
 * The batched ingestion path (BatchGetItem / BatchWriteItem, children manifests) on dynalite, with every
 * request the Store sends counted by operation; an observer of its table calls stands in for DynamoDB's faults (unprocessed
 * items, a crash between two writes).
 */
let dynalite: RunningDynalite;
let store: DynamoStore;
const sent: string[] = [];
/** Keys asked for by the BatchGetItem requests since the last `counted`. */
let getKeys = 0;
/** When set, called on each request; may answer instead of DynamoDB. */
let fault: ((op: string, input: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynalite.client();
  observeDynamoCalls(client, 'testFaults', async (op, input, call) => {
    sent.push(op);
    if (op === 'BatchGetItem')
      for (const t of Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>))
        getKeys += t.Keys.length;
    return fault?.(op, input) ?? call(input);
  });
  store = createDynamoStore({ client, tableName: 'batched-ingest' });
  await store.migrate();
});
afterAll(async () => {
  await dynalite.close();
});

const vc = 'vc-batch';
const vm = (n: number, hostId: string): Vm => ({
  id: vcObjectId(vc, `vm-${n}`),
  name: `vm-${n}`,
  vcenterId: vc,
  moref: `vm-${n}`,
  hostId,
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
});
const vmGroup = (hostId: string, ns: number[]): InventoryGroupInput => ({
  type: 'vm',
  parent: hostId,
  items: ns.map((n) => vm(n, hostId)),
});
const page = (groups: InventoryGroupInput[]) => ({
  v: 1,
  source: 'vcenter',
  sourceId: vc,
  runId: 'run-1',
  seq: 0,
  last: true,
  groups,
});
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;

async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; ops: string[] }> {
  sent.length = 0;
  getKeys = 0;
  const value = await fn();
  return { value, ops: [...sent] };
}

describe('batched inventory ingestion', () => {
  it('writes 200 VMs of 10 hosts in a handful of requests, and a resync only reads manifests', async () => {
    const groups = range(0, 10).map((h) => vmGroup(`H${h}`, range(h * 20, 20)));
    const first = await counted(() => ingestInventoryPage(store, page(groups)));
    expect(first.value.written).toBe(200);
    // A new table: no group was ingested before, so no by-parent query; 200 records + 2×10 manifests / 25.
    expect(count(first.ops, 'Query')).toBe(0);
    expect(count(first.ops, 'BatchWriteItem')).toBeLessThanOrEqual(12);
    expect(first.ops.length).toBeLessThanOrEqual(16);

    const again = await counted(() => ingestInventoryPage(store, page(groups)));
    expect(again.value).toMatchObject({ written: 0, unchanged: 200, gone: 0 });
    // The 10 groups' manifests (+ the table marker) in one request: an unchanged group is not read item by item.
    expect(again.ops).toEqual(['BatchGetItem']);
    expect(getKeys).toBe(11);

    // One VM left host H3: only that group is listed by parent, and the VM marked gone.
    const shrunk = groups.map((g) => (g.parent === 'H3' ? vmGroup('H3', range(60, 19)) : g));
    const third = await counted(() => ingestInventoryPage(store, page(shrunk)));
    expect(third.value).toMatchObject({ written: 0, gone: 1 });
    expect(count(third.ops, 'Query')).toBe(1);
    const gone = await store.getRecord('vm', vcObjectId(vc, 'vm-79'));
    expect(gone?.gone).toBe(true);
  });

  it('retries the items DynamoDB left unprocessed', async () => {
    let cut = 0;
    fault = (op, input) => {
      if (op !== 'BatchWriteItem' || cut > 0) return undefined;
      // Answer for DynamoDB: nothing written, everything unprocessed (throttled).
      cut++;
      return { UnprocessedItems: input.RequestItems };
    };
    try {
      const r = await ingestInventoryPage(store, page([vmGroup('R1', range(500, 5))]));
      expect(r.written).toBe(5);
      expect(cut).toBe(1);
      for (const n of range(500, 5))
        expect(await store.getRecord('vm', vcObjectId(vc, `vm-${n}`))).toBeDefined();
    } finally {
      fault = undefined;
    }
  });

  it('a crash after the records but before the manifest still finds what vanished next time', async () => {
    // The write of the settled manifest fails: the group's records are stored, its manifest says DIRTY.
    fault = (op, input) => {
      const body = JSON.stringify(input);
      if (op === 'BatchWriteItem' && body.includes(CHILDREN_MANIFEST_TYPE) && !body.includes(DIRTY_MANIFEST))
        throw new Error('crash');
      return undefined;
    };
    await expect(ingestInventoryPage(store, page([vmGroup('C1', [900, 901])]))).rejects.toThrow('crash');
    fault = undefined;
    const manifest = await store.getRecord(CHILDREN_MANIFEST_TYPE, 'vm|C1');
    expect(manifest?.hash).toBe(DIRTY_MANIFEST);

    const r = await ingestInventoryPage(store, page([vmGroup('C1', [900])]));
    expect(r.gone).toBe(1);
    expect((await store.getRecord('vm', vcObjectId(vc, 'vm-901')))?.gone).toBe(true);
  });

  it('a changed item of a settled group is written under a dirty content part: a crash never hides it', async () => {
    await ingestInventoryPage(store, page([vmGroup('D1', [950, 951])]));
    const bigger = vmGroup('D1', [950, 951]);
    (bigger.items[0] as Vm).memoryMiB = 8192;
    // The manifest's final write fails: vm-950 is stored with 8 GiB, the manifest's content part says dirty.
    fault = (op, input) => {
      const body = JSON.stringify(input);
      if (op === 'BatchWriteItem' && body.includes(CHILDREN_MANIFEST_TYPE) && !body.includes(DIRTY_MANIFEST))
        throw new Error('crash');
      return undefined;
    };
    const changed = await counted(() =>
      ingestInventoryPage(store, page([bigger])).then(
        () => 'stored',
        (err: Error) => err.message,
      ),
    );
    fault = undefined;
    expect(changed.value).toBe('crash');
    expect((await store.getRecord<Vm>('vm', vcObjectId(vc, 'vm-950')))?.data.memoryMiB).toBe(8192);
    // The id set did not change: no by-parent query.
    expect(count(changed.ops, 'Query')).toBe(0);

    // The VM goes back to 4 GiB — the content the manifest recorded before the crash: still written.
    const back = await ingestInventoryPage(store, page([vmGroup('D1', [950, 951])]));
    expect(back).toMatchObject({ written: 1, unchanged: 1 });
    expect((await store.getRecord<Vm>('vm', vcObjectId(vc, 'vm-950')))?.data.memoryMiB).toBe(4096);
    const settled = await counted(() => ingestInventoryPage(store, page([vmGroup('D1', [950, 951])])));
    expect(settled.ops).toEqual(['BatchGetItem']);
  });

  it('VMs marked gone with their host come back with it, though their group is the same as before', async () => {
    const host = (id: string): PageHost => ({
      id,
      name: id,
      vcenterId: vc,
      clusterId: 'CL1',
      moref: `host-${id}`,
      serviceTag: id,
      connectionState: 'connected',
      powerState: 'poweredOn',
      inMaintenanceMode: false,
      cpuMhz: 64000,
      memoryMiB: 262144,
    });
    const hosts = (ids: string[]): InventoryGroupInput => ({
      type: 'host',
      parent: 'CL1',
      items: ids.map(host),
    });
    await ingestInventoryPage(store, page([hosts(['HA', 'HB']), vmGroup('HB', [970, 971])]));
    // HB leaves the cluster: marked gone, and its VMs with it.
    const left = await ingestInventoryPage(store, page([hosts(['HA'])]));
    expect(left.gone).toBe(3);
    expect((await store.getRecord('vm', vcObjectId(vc, 'vm-970')))?.gone).toBe(true);
    // HB is back with the very VMs its group had: they are alive again.
    const back = await ingestInventoryPage(store, page([hosts(['HA', 'HB']), vmGroup('HB', [970, 971])]));
    expect(back.written).toBe(3);
    for (const n of [970, 971])
      expect((await store.getRecord('vm', vcObjectId(vc, `vm-${n}`)))?.gone).toBe(false);
  });
});
