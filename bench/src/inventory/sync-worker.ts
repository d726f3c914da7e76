import '@rackops/core/polyfills';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SYSTEM } from '@rackops/core/jobs/job.schema';
import type { Store } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';
import { createDynamoStore, type DynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { observeDynamoCalls } from '@rackops/lambdas/adapters/dynamo/lean-client';
import { createInventoryPageHandler } from '@rackops/lambdas/handlers/inventory-page.handler';
import { silenceSdkNodeNotice } from '@rackops/local/node-support';
import type { WorkerReply, WorkerRequest } from './sync-protocol';

/**
 * The ingesting side of the inventory bench in a process of its own, as the result Lambda is: pages arrive
 * over IPC (as SQS messages would), the Store talks to dynalite in another process. Its memory is what the
 * bench's `sync_peak_rss_mib` reports. Argv: the DynamoDB endpoint and the table name.
 */
silenceSdkNodeNotice();
const [endpoint, tableName] = process.argv.slice(2);
if (!endpoint || !tableName || !process.send)
  throw new Error('usage: sync-worker <endpoint> <table> (forked)');
const client = new DynamoDBClient({
  endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 5,
});
// Every DynamoDB request the Store sends (BatchGetItem, BatchWriteItem, Query, UpdateItem...) counts as one.
let requests = 0;
observeDynamoCalls(client, 'countRequests', (_op, input, call) => {
  requests++;
  return call(input);
});
const store = createDynamoStore({ client, tableName });
await store.migrate();
// BENCH_INGEST=record: the record-by-record path (one UpdateItem per changed record), for comparison.
const onPage = createInventoryPageHandler({
  store: process.env.BENCH_INGEST === 'record' ? withoutBatch(store) : store,
});

function withoutBatch(s: DynamoStore): Store {
  const { getRecordHeads: _heads, writeRecords: _writes, ...recordByRecord } = s;
  return recordByRecord;
}

/** A forced GC (for heap figures that are not noise): `--expose-gc` switched on at run time. */
function gcNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

let heapBefore = 0;
let heapPeak = 0;
let sampler: NodeJS.Timeout | undefined;

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  switch (req.op) {
    case 'begin': {
      gcNow();
      heapBefore = heapPeak = process.memoryUsage().heapUsed;
      sampler = setInterval(() => {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }, 25);
      return { op: 'begin', requests };
    }
    case 'job': {
      const now = new Date().toISOString();
      const job = await store.createJob({
        id: newId(),
        type: 'inventory_sync',
        target: { kind: 'vcenter', id: req.vcId },
        params: { source: 'vcenter', sourceId: req.vcId },
        details: {},
        createdBy: SYSTEM,
        createdAt: now,
        scheduleAt: now,
        requiresApproval: false,
      });
      return { op: 'job', jobId: job.id };
    }
    case 'page': {
      const r = await onPage(req.page, { commandId: req.commandId, jobId: req.jobId });
      return { op: 'page', items: r.items, written: r.written, gone: r.gone, warnings: r.warnings.length };
    }
    case 'end': {
      clearInterval(sampler);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      gcNow();
      return {
        op: 'end',
        requests,
        heapBeforeMiB: mib(heapBefore),
        heapPeakMiB: mib(heapPeak),
        heapAfterMiB: mib(process.memoryUsage().heapUsed),
      };
    }
  }
}

process.on('message', (m: { id: number; req: WorkerRequest }) => {
  handle(m.req).then(
    (reply) => process.send?.({ id: m.id, reply }),
    (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? err.stack : String(err) }),
  );
});
process.send({ id: 0, reply: { op: 'ready' } });
process.once('disconnect', () => {
  client.destroy();
  process.exit(0);
});
