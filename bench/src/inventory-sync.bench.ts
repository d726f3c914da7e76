import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@rackops/core/util/ids';
import { recordItem } from '@rackops/lambdas/adapters/dynamo-record-batch';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { LabClock } from '@rackops/lab/clock';
import { parseLabConfig } from '@rackops/lab/config/lab-config.schema';
import { FaultRegistry } from '@rackops/lab/faults/fault-registry';
import { generateLab } from '@rackops/lab/generator';
import { loadCapture } from '@rackops/lab/idrac/capture';
import { componentTemplates } from '@rackops/lab/world/firmware';
import { World } from '@rackops/lab/world/world';
import { firstLine, stopChild, tsProcess } from '@rackops/local/runtime/child-process';
import { procMemoryKiB, rssSampler } from './inventory/proc-memory';
import { type SyncWorker, startSyncWorker } from './inventory/sync-protocol';
import { vcenterPages } from './inventory/vcenter-pages';
import { printTable, round } from './support/report';

const TABLE = 'inventory-bench';

interface SyncStats {
  /** The sync worker's JS heap after GC before the sync, its peak during the sync, and after GC after it. */
  heapBeforeMiB: number;
  heapPeakMiB: number;
  heapAfterMiB: number;
  seconds: number;
  items: number;
  written: number;
  gone: number;
  warnings: number;
  pages: number;
  requests: number;
  /** Peak resident set during the sync, per process: the sync worker, dynalite, the bench (lab world, pages). */
  rss: Record<'sync' | 'dynalite' | 'bench', number>;
}

/** One sync of every vCenter: one inventory_sync job per vCenter, pages handed to the worker one at a time. */
async function syncAll(worker: SyncWorker, dynalitePid: number, world: World, pageSize: number) {
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
    requests: 0,
    rss: { sync: 0, dynalite: 0, bench: 0 },
  };
  const begin = await worker.ask({ op: 'begin' });
  const sampler = rssSampler({ sync: worker.pid, dynalite: dynalitePid, bench: process.pid });
  const started = performance.now();
  try {
    for (const vcId of world.vcenters.keys()) {
      const { jobId } = await worker.ask({ op: 'job', vcId });
      const commandId = newId();
      for (const page of vcenterPages(world, vcId, commandId, pageSize)) {
        const r = await worker.ask({ op: 'page', page: page as Record<string, unknown>, commandId, jobId });
        stats.items += r.items;
        stats.written += r.written;
        stats.gone += r.gone;
        stats.warnings += r.warnings;
        stats.pages++;
      }
    }
  } finally {
    stats.rss = sampler.stop() as SyncStats['rss'];
  }
  stats.seconds = (performance.now() - started) / 1000;
  const end = await worker.ask({ op: 'end' });
  stats.requests = end.requests - begin.requests;
  stats.heapBeforeMiB = end.heapBeforeMiB;
  stats.heapPeakMiB = end.heapPeakMiB;
  stats.heapAfterMiB = end.heapAfterMiB;
  return stats;
}

/**
 * `npm run bench -- inventory-sync [hosts] [vmsPerHost]`: incremental vCenter inventory sync of a generated
 * lab (default 2,000 hosts, 40,000 VMs) into the Store on dynalite: a full first sync, a second
 * sync with nothing changed (target: 0 writes), and a sync after 1% of the VMs changed (target: writes ÷
 * changed ≤ 1.05). Three processes, as in production: the ingesting side (the result Lambda's handler, in
 * inventory/sync-worker.ts), dynalite (DynamoDB), and this one (the lab world producing the pages the relay
 * agent would stream); the peak resident set of each is reported apart. The RSS target (< 300 MiB) is the
 * sync worker's.
 */
export async function run(args: string[]): Promise<void> {
  const hosts = Number(args[0] ?? 2000);
  const vmsPerHost = Number(args[1] ?? 20);
  const pageSize = 500;
  const dir = mkdtempSync(join(tmpdir(), 'rackops-inv-bench-'));
  // In memory like the tests (BENCH_DYNALITE_DISK=1: LevelDB on disk, whose native caches cost more RSS).
  const dynalite = tsProcess(
    'bench/src/inventory/dynalite-process.ts',
    process.env.BENCH_DYNALITE_DISK ? ['--path', dir] : [],
  );
  let world: World | undefined;
  let worker: SyncWorker | undefined;
  try {
    const { endpoint } = JSON.parse(await firstLine(dynalite, 'dynalite')) as { endpoint: string };
    worker = await startSyncWorker(endpoint, TABLE);
    const config = parseLabConfig(generateLab({ hosts, vmsPerHost, seed: 7 }));
    const capture = loadCapture();
    world = new World(config, {
      clock: new LabClock(0.001),
      faults: new FaultRegistry(config.seed),
      capture,
      components: componentTemplates(capture),
    });
    const vms = world.vms.size;
    const dynalitePid = dynalite.pid as number;
    const mibOf = (kib: number) => round(kib / 1024);
    const rssBefore = {
      sync: mibOf(procMemoryKiB(worker.pid).rss),
      dynalite: mibOf(procMemoryKiB(dynalitePid).rss),
      bench: mibOf(procMemoryKiB(process.pid).rss),
    };

    const full = await syncAll(worker, dynalitePid, world, pageSize);
    const unchanged = await syncAll(worker, dynalitePid, world, pageSize);

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
    const after = await syncAll(worker, dynalitePid, world, pageSize);

    const rows = [
      { sync: 'full (first)', ...view(full) },
      { sync: 'no changes', ...view(unchanged) },
      { sync: `${changed} VMs changed (1%)`, ...view(after) },
    ];
    printTable(rows);
    const syncHwm = mibOf(procMemoryKiB(worker.pid).hwm);
    const dynaliteHwm = mibOf(procMemoryKiB(dynalitePid).hwm);
    console.log(
      `hosts ${world.hosts.size}, VMs ${vms}; RSS before the first sync: sync worker ${rssBefore.sync} MiB, dynalite ${rssBefore.dynalite} MiB (empty), bench ${rssBefore.bench} MiB (lab world). Lifetime peaks: sync worker ${syncHwm} MiB, dynalite ${dynaliteHwm} MiB.`,
    );
    console.log(
      "heap_* are the sync worker's JS heap: heap_after - heap_before is what a sync keeps (nothing: the items are in dynalite's process); heap_peak includes garbage not yet collected.",
    );
    const changedWrites = after.written + after.gone;
    // dynalite's own ceiling: bare BatchWriteItem of the same items (25 per request, 4 in flight, as ingestion).
    const client = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const ceiling = await dynaliteWriteCeiling(client, Math.min(full.items, 20_000)).finally(() =>
      client.destroy(),
    );
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
        sync_peak_rss_mib: Math.max(full.rss.sync, unchanged.rss.sync, after.rss.sync, syncHwm),
        dynalite_peak_rss_mib: Math.max(full.rss.dynalite, unchanged.rss.dynalite, after.rss.dynalite),
        bench_peak_rss_mib: Math.max(full.rss.bench, unchanged.rss.bench, after.rss.bench),
        store_requests_per_item: round(full.requests / full.items, 4),
        unchanged_requests_per_item: round(unchanged.requests / unchanged.items, 4),
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
    await worker?.stop();
    await stopChild(dynalite);
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

function view(s: SyncStats): Record<string, number> {
  return {
    seconds: round(s.seconds, 2),
    pages: s.pages,
    items: s.items,
    items_per_s: round(s.items / s.seconds),
    written: s.written,
    gone: s.gone,
    warnings: s.warnings,
    requests: s.requests,
    sync_rss_mib: s.rss.sync,
    dynalite_rss_mib: s.rss.dynalite,
    bench_rss_mib: s.rss.bench,
    heap_before_mib: s.heapBeforeMiB,
    heap_peak_mib: s.heapPeakMiB,
    heap_after_mib: s.heapAfterMiB,
  };
}
