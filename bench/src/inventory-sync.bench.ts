import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Cluster, Vcenter, Vm } from '@rackops/core/inventory/inventory.schema';
import {
  type InventoryGroupInput,
  type InventoryPageInput,
  type PageHost,
  vcObjectId,
} from '@rackops/core/inventory/sync-page.schema';
import { SYSTEM } from '@rackops/core/jobs/job.schema';
import type { Store } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';
import { recordItem } from '@rackops/lambdas/adapters/dynamo-record-batch';
import { createDynamoStore, type DynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import {
  createInventoryPageHandler,
  type OnInventoryPage,
} from '@rackops/lambdas/handlers/inventory-page.handler';
import { LabClock } from '@rackops/lab/clock';
import { parseLabConfig } from '@rackops/lab/config/lab-config.schema';
import { FaultRegistry } from '@rackops/lab/faults/fault-registry';
import { generateLab } from '@rackops/lab/generator';
import { loadCapture } from '@rackops/lab/idrac/capture';
import { componentTemplates } from '@rackops/lab/world/firmware';
import { World } from '@rackops/lab/world/world';
import { startDynalite } from '@rackops/local/dynalite';
import { peakRssMiB, printTable, round } from './support/report';

/**
 * The pages a relay agent would stream for one vCenter, built lazily from the lab world (same shapes the
 * agent builds from the vSphere API): the vCenter, its clusters, then per cluster its hosts and per host
 * its VMs, each group the complete child set of its parent, packed into pages of about `pageSize` items.
 */
function* vcenterPages(
  world: World,
  vcId: string,
  runId: string,
  pageSize: number,
): Generator<InventoryPageInput> {
  const vc = world.vcenters.get(vcId)!;
  const clusterRecId = (name: string) => vcObjectId(vcId, world.cluster(name).moref);
  function* groups(): Generator<InventoryGroupInput> {
    const vcenter: Vcenter = { id: vc.id, name: vc.name, ...(vc.version ? { version: vc.version } : {}) };
    yield { type: 'vcenter', parent: vc.id, items: [vcenter] };
    yield {
      type: 'cluster',
      parent: vc.id,
      items: vc.clusterIds.map((id): Cluster => {
        const c = world.cluster(id);
        return {
          id: clusterRecId(id),
          name: c.name,
          vcenterId: vcId,
          moref: c.moref,
          drsEnabled: c.drsEnabled,
          production: false,
          ha: { ...c.ha, policy: 'failoverLevel' },
        };
      }),
    };
    for (const clusterName of vc.clusterIds) {
      const hosts = world.hostsInCluster(clusterName);
      yield {
        type: 'host',
        parent: clusterRecId(clusterName),
        items: hosts.map(
          (h): PageHost => ({
            id: h.id,
            name: h.name,
            vcenterId: vcId,
            clusterId: clusterRecId(clusterName),
            moref: h.moref,
            serviceTag: h.id,
            connectionState: h.connectionState,
            powerState: h.power === 'On' ? 'poweredOn' : 'poweredOff',
            inMaintenanceMode: h.inMaintenanceMode,
            cpuMhz: h.cpuMhz,
            memoryMiB: h.memoryMiB,
            esxiVersion: h.esxiVersion,
          }),
        ),
      };
      for (const h of hosts) {
        yield {
          type: 'vm',
          parent: h.id,
          items: world.vmsOnHost(h.id).map(
            (v): Vm => ({
              id: vcObjectId(vcId, v.moref),
              name: v.name,
              vcenterId: vcId,
              moref: v.moref,
              hostId: h.id,
              clusterId: clusterRecId(clusterName),
              powerState: v.powerState,
              cpuMhz: v.cpuMhz,
              memoryMiB: v.memoryMiB,
              isVcenterAppliance: v.isVcenterAppliance,
              devices: { ...v.devices, affinityRules: [...v.devices.affinityRules] },
            }),
          ),
        };
      }
    }
  }
  let batch: InventoryGroupInput[] = [];
  let size = 0;
  let seq = 0;
  for (const g of groups()) {
    batch.push(g);
    size += g.items.length;
    if (size >= pageSize) {
      yield { v: 1, source: 'vcenter', sourceId: vcId, runId, seq: seq++, last: false, groups: batch };
      batch = [];
      size = 0;
    }
  }
  yield { v: 1, source: 'vcenter', sourceId: vcId, runId, seq, last: true, groups: batch };
}

/** A forced GC (for heap figures that are not noise): `--expose-gc` switched on at run time. */
function gcNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
const mib = (bytes: number): number => round(bytes / 1024 / 1024);

interface SyncStats {
  /** JS heap after GC before the sync, its peak during the sync, and after GC after it. */
  heapBeforeMiB: number;
  heapPeakMiB: number;
  heapAfterMiB: number;
  seconds: number;
  items: number;
  written: number;
  gone: number;
  warnings: number;
  pages: number;
  peakRssMiB: number;
}

/** One sync of every vCenter: one inventory_sync job per vCenter, pages handed to the page handler. */
async function syncAll(
  store: Store,
  onPage: OnInventoryPage,
  world: World,
  pageSize: number,
): Promise<SyncStats> {
  const stats: SyncStats = {
    heapBeforeMiB: 0,
    heapPeakMiB: 0,
    heapAfterMiB: 0,
    seconds: 0,
    items: 0,
    written: 0,
    gone: 0,
    warnings: 0,
    pages: 0,
    peakRssMiB: 0,
  };
  gcNow();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = process.memoryUsage().rss;
  let heapPeak = heapBefore;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 25);
  const started = performance.now();
  try {
    for (const vcId of world.vcenters.keys()) {
      const now = new Date().toISOString();
      const job = await store.createJob({
        id: newId(),
        type: 'inventory_sync',
        target: { kind: 'vcenter', id: vcId },
        params: { source: 'vcenter', sourceId: vcId },
        details: {},
        createdBy: SYSTEM,
        createdAt: now,
        scheduleAt: now,
        requiresApproval: false,
      });
      const commandId = newId();
      for (const page of vcenterPages(world, vcId, commandId, pageSize)) {
        const r = await onPage(page as Record<string, unknown>, { commandId, jobId: job.id });
        stats.items += r.items;
        stats.written += r.written;
        stats.gone += r.gone;
        stats.warnings += r.warnings.length;
        stats.pages++;
      }
    }
  } finally {
    clearInterval(sampler);
  }
  stats.seconds = (performance.now() - started) / 1000;
  stats.peakRssMiB = mib(peak);
  gcNow();
  stats.heapBeforeMiB = mib(heapBefore);
  stats.heapPeakMiB = mib(heapPeak);
  stats.heapAfterMiB = mib(process.memoryUsage().heapUsed);
  return stats;
}

/**
 * `npm run bench -- inventory-sync [hosts] [vmsPerHost]`: incremental vCenter inventory sync of a generated
 * lab (default 2,000 hosts, 40,000 VMs) into the Store on dynalite: a full first sync, a second
 * sync with nothing changed (target: 0 writes), and a sync after 1% of the VMs changed (target: writes ÷
 * changed ≤ 1.05).
 */
export async function run(args: string[]): Promise<void> {
  const hosts = Number(args[0] ?? 2000);
  const vmsPerHost = Number(args[1] ?? 20);
  const pageSize = 500;
  const dir = mkdtempSync(join(tmpdir(), 'rackops-inv-bench-'));
  // In memory like the tests (BENCH_DYNALITE_DISK=1: LevelDB on disk, whose native caches cost more RSS).
  const dynalite = await startDynalite(process.env.BENCH_DYNALITE_DISK ? { path: dir } : {});
  let world: World | undefined;
  try {
    const client = dynalite.client();
    // Every DynamoDB request the Store sends (BatchGetItem, BatchWriteItem, Query, UpdateItem...) counts as one.
    const requests = { n: 0 };
    client.middlewareStack.add(
      (next) => async (args) => {
        requests.n++;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    const store = createDynamoStore({ client, tableName: 'inventory-bench' });
    await store.migrate();
    const config = parseLabConfig(generateLab({ hosts, vmsPerHost, seed: 7 }));
    const capture = loadCapture();
    world = new World(config, {
      clock: new LabClock(0.001),
      faults: new FaultRegistry(config.seed),
      capture,
      components: componentTemplates(capture),
    });
    const vms = world.vms.size;
    // BENCH_INGEST=record: the record-by-record path (one UpdateItem per changed record), for comparison.
    const onPage = createInventoryPageHandler({
      store: process.env.BENCH_INGEST === 'record' ? withoutBatch(store) : store,
    });
    const rssBefore = round(process.memoryUsage().rss / 1024 / 1024);

    const before = requests.n;
    const full = await syncAll(store, onPage, world, pageSize);
    const fullRequests = requests.n - before;
    const unchanged = await syncAll(store, onPage, world, pageSize);
    const unchangedRequests = requests.n - before - fullRequests;

    // 1% of the VMs change: every 100th VM powers off/on, or grows by 1 GiB of memory.
    let changed = 0;
    let i = 0;
    for (const vm of world.vms.values()) {
      if (i++ % 100 !== 0) continue;
      if (changed % 2 === 0)
        world.setVmPower(vm.id, vm.powerState === 'poweredOn' ? 'poweredOff' : 'poweredOn');
      else vm.memoryMiB += 1024;
      changed++;
    }
    const after = await syncAll(store, onPage, world, pageSize);

    const rows = [
      { sync: 'full (first)', ...view(full) },
      { sync: 'no changes', ...view(unchanged) },
      { sync: `${changed} VMs changed (1%)`, ...view(after) },
    ];
    printTable(rows);
    console.log(
      `hosts ${world.hosts.size}, VMs ${vms}; RSS before the first sync ${rssBefore} MiB (lab world + empty dynalite).`,
    );
    console.log(
      'heap_after - heap_before is what a sync keeps: with dynalite in memory, the stored items and job log lines (none is held by ingestion); heap_peak includes garbage not yet collected.',
    );
    const changedWrites = after.written + after.gone;
    // dynalite's own ceiling: bare BatchWriteItem of the same items (25 per request, 4 in flight, as ingestion).
    const ceiling = await dynaliteWriteCeiling(client, Math.min(full.items, 20_000));
    console.log(
      `dynalite ceiling (bare BatchWriteItem of VM-sized record items, same table layout): ${round(ceiling)} items/s; the full sync reaches ${round((full.items / full.seconds / ceiling) * 100)}% of it.`,
    );
    console.log(
      JSON.stringify({
        bench: 'inventory-sync',
        ingest: process.env.BENCH_INGEST === 'record' ? 'record' : 'batched',
        hosts: world.hosts.size,
        vms,
        full_s: round(full.seconds, 2),
        items_per_s: round(full.items / full.seconds),
        peak_rss_mib: Math.max(full.peakRssMiB, await peakRssMiB()),
        store_requests_per_item: round(fullRequests / full.items, 4),
        unchanged_requests_per_item: round(unchangedRequests / unchanged.items, 4),
        dynalite_ceiling_items_s: round(ceiling),
        ceiling_ratio: round(full.items / full.seconds / ceiling, 3),
        unchanged_writes: unchanged.written + unchanged.gone,
        changed_items: changed,
        changed_writes: changedWrites,
        write_ratio: round(changedWrites / Math.max(1, changed), 3),
      }),
    );
  } finally {
    world?.stop();
    await dynalite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Items per second dynalite itself absorbs: bare BatchWriteItem of 25 record items (the Store's layout, both
 * indexes, VM-sized data) into a table of the same layout, 4 requests in flight — no reads, no hashing.
 */
async function dynaliteWriteCeiling(client: DynamoDBClient, items: number): Promise<number> {
  const tableName = 'ceiling-bench';
  await createDynamoStore({ client, tableName }).migrate();
  const doc = DynamoDBDocumentClient.from(client);
  const data = {
    name: 'vm-x',
    moref: 'vm-1',
    powerState: 'poweredOn',
    memoryMiB: 4096,
    note: 'x'.repeat(400),
  };
  const at = new Date().toISOString();
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < items) {
      const from = next;
      next = Math.min(items, next + 25);
      const puts = [];
      for (let i = from; i < next; i++) {
        const rec = { type: 'vm', id: `c-${i}`, parent: `h-${i % 2000}`, data, hash: `${i}`, version: 1 };
        puts.push({ PutRequest: { Item: recordItem(rec, at) } });
      }
      let pending: typeof puts = puts;
      while (pending.length > 0) {
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (res.UnprocessedItems?.[tableName] ?? []) as typeof puts;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return items / ((performance.now() - started) / 1000);
}

function withoutBatch(store: DynamoStore): Store {
  const { getRecordHeads: _heads, writeRecords: _writes, ...recordByRecord } = store;
  return recordByRecord;
}

function view(s: SyncStats): Record<string, number> {
  return {
    seconds: round(s.seconds, 2),
    pages: s.pages,
    items: s.items,
    items_per_s: round(s.items / s.seconds),
    written: s.written,
    gone: s.gone,
    warnings: s.warnings,
    peak_rss_mib: s.peakRssMiB,
    heap_before_mib: s.heapBeforeMiB,
    heap_peak_mib: s.heapPeakMiB,
    heap_after_mib: s.heapAfterMiB,
  };
}
