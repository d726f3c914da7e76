import type { Actor } from '@rackops/core/jobs/job.schema';
import type { NewJob } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';
import { externalDynamo, startDynalite } from '@rackops/local/dynalite';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { leanDocumentClient } from '@rackops/lambdas/adapters/dynamo/lean-client';
import { STORE_MARSHALL_OPTIONS } from '@rackops/lambdas/adapters/dynamo/table-access';
import { processCpuMs } from './support/bot/process-cpu';
import { startDynamoProcess } from './support/processes';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { printTable, round } from './support/report';

const system: Actor = { kind: 'system', id: 'bench' };

function job(now: string): NewJob {
  return {
    id: newId(),
    type: 'firmware_update',
    target: { kind: 'host', id: `H${Math.floor(Math.random() * 100)}` },
    params: {},
    createdBy: system,
    createdAt: now,
    scheduleAt: now,
    details: {},
    requiresApproval: false,
  };
}

/** Runs `total` operations with `concurrency` in flight; returns operations per second. */
async function measure(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/**
 * CPU in this process per GetItem, through the SDK's document client and through the Store's own table client
 * (adapters/dynamo/lean-client), the same item read from dynalite in a process of its own: what each call costs
 * the caller's event loop. Interleaved rounds; the median per way.
 */
async function getCpuPerCall(
  n: number,
): Promise<{ sdk: number; lean: number; dynaliteSdk: number; dynaliteLean: number }> {
  const dynamo = await startDynamoProcess();
  const running = externalDynamo(dynamo.endpoint);
  try {
    const client = running.client();
    const table = 'bench-cpu';
    const store = createDynamoStore({ client, tableName: table });
    await store.migrate();
    const created = await store.createJob(job(new Date().toISOString()));
    const get = () =>
      new GetCommand({ TableName: table, Key: { pk: `JOB#${created.id}`, sk: 'JOB' }, ConsistentRead: true });
    const sdk = DynamoDBDocumentClient.from(client, { marshallOptions: { ...STORE_MARSHALL_OPTIONS } });
    const lean = leanDocumentClient(client, STORE_MARSHALL_OPTIONS);
    const ways = { sdk: () => sdk.send(get()), lean: () => lean.send(get()) };
    const samples: Record<'sdk' | 'lean', { own: number; dynalite: number }[]> = { sdk: [], lean: [] };
    for (let round = 0; round < 5; round++)
      for (const way of ['sdk', 'lean'] as const) {
        const c0 = process.cpuUsage();
        const d0 = processCpuMs(dynamo.pid) ?? 0;
        await measure(n, 8, ways[way]);
        const c = process.cpuUsage(c0);
        samples[way].push({
          own: (c.user + c.system) / 1000 / n,
          dynalite: ((processCpuMs(dynamo.pid) ?? 0) - d0) / n,
        });
      }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      sdk: med(samples.sdk.map((x) => x.own)),
      lean: med(samples.lean.map((x) => x.own)),
      dynaliteSdk: med(samples.sdk.map((x) => x.dynalite)),
      dynaliteLean: med(samples.lean.map((x) => x.dynalite)),
    };
  } finally {
    await running.close();
    await dynamo.stop();
  }
}

/** `npm run bench -- store [n]`: put, conditional update, claim and query throughput against dynalite. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 2000);
  const concurrency = 16;
  const dynalite = await startDynalite();
  try {
    const store = createDynamoStore({ client: dynalite.client(), tableName: 'bench' });
    await store.migrate();
    const now = new Date().toISOString();
    const ids: string[] = [];
    const putPerS = await measure(n, concurrency, async () => {
      ids.push((await store.createJob(job(now))).id);
    });
    // A conditional update: status-preserving field change, conditional on the version read.
    const condPerS = await measure(n, concurrency, (i) =>
      store.updateJob(ids[i]!, { details: { progress: i } }),
    );
    const claimPerS = await measure(n, concurrency, (i) =>
      store.claimJob(ids[i]!, system, new Date().toISOString()),
    );
    const queryPerS = await measure(Math.min(n, 1000), concurrency, () =>
      store.listRecentJobs({ limit: 20 }),
    );
    const cpu = await getCpuPerCall(Math.min(n, 1000));
    const rows = [
      { operation: 'put (create job + audit)', ops: n, per_s: round(putPerS) },
      { operation: 'conditional update', ops: n, per_s: round(condPerS) },
      { operation: 'claim (conditional start)', ops: n, per_s: round(claimPerS) },
      { operation: 'query (recent jobs, 20)', ops: Math.min(n, 1000), per_s: round(queryPerS) },
    ];
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    printTable(rows);
    printTable([
      {
        get_item_via: 'SDK document client',
        caller_cpu_ms: ms(cpu.sdk),
        dynalite_cpu_ms: ms(cpu.dynaliteSdk),
      },
      {
        get_item_via: "the Store's table client",
        caller_cpu_ms: ms(cpu.lean),
        dynalite_cpu_ms: ms(cpu.dynaliteLean),
      },
    ]);
    console.log(
      JSON.stringify({
        bench: 'store',
        put_per_s: round(putPerS),
        cond_update_per_s: round(condPerS),
        claim_per_s: round(claimPerS),
        query_per_s: round(queryPerS),
        get_cpu_ms: { sdk: ms(cpu.sdk), store_client: ms(cpu.lean) },
        get_cpu_ratio: Math.round((cpu.sdk / cpu.lean) * 10) / 10,
      }),
    );
  } finally {
    await dynalite.close();
  }
}
