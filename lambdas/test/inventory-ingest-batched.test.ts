import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILDREN_MANIFEST_TYPE, DIRTY_MANIFEST } from '@rackops/core/inventory/children-manifest';
import { ingestInventoryPage } from '@rackops/core/inventory/ingest';
import type { Vm } from '@rackops/core/inventory/inventory.schema';
import { type InventoryGroupInput, vcObjectId } from '@rackops/core/inventory/sync-page.schema';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { createDynamoStore, type DynamoStore } from '../src/adapters/dynamo-store';

/**
 * The batched ingestion path (BatchGetItem / BatchWriteItem, children manifests) on dynalite, with every
 * request the Store sends counted by operation; a middleware stands in for DynamoDB's faults (unprocessed
 * items, a crash between two writes).
 */
let dynalite: RunningDynalite;
let store: DynamoStore;
const sent: string[] = [];
/** When set, called on each request; may answer instead of DynamoDB. */
let fault: ((op: string, input: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynalite.client();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName).replace(/Command$/, '');
      sent.push(op);
      const answer = fault?.(op, args.input as Record<string, unknown>);
      if (answer) return { output: answer, response: {} } as never;
      return next(args);
    },
    { step: 'initialize', name: 'testFaults', priority: 'low' },
  );
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
  const value = await fn();
  return { value, ops: [...sent] };
}

describe('batched inventory ingestion', () => {
  it('writes 200 VMs of 10 hosts in a handful of requests, and a resync only reads heads', async () => {
    const groups = range(0, 10).map((h) => vmGroup(`H${h}`, range(h * 20, 20)));
    const first = await counted(() => ingestInventoryPage(store, page(groups)));
    expect(first.value.written).toBe(200);
    // A new table: no group was ingested before, so no by-parent query; 200 records + 2×10 manifests / 25.
    expect(count(first.ops, 'Query')).toBe(0);
    expect(count(first.ops, 'BatchWriteItem')).toBeLessThanOrEqual(12);
    expect(first.ops.length).toBeLessThanOrEqual(16);

    const again = await counted(() => ingestInventoryPage(store, page(groups)));
    expect(again.value).toMatchObject({ written: 0, unchanged: 200, gone: 0 });
    expect(again.ops.every((o) => o === 'BatchGetItem')).toBe(true);
    expect(again.ops.length).toBe(3); // 210 heads (+ the table marker) in requests of 100

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
});
