import type { Actor } from '@rackops/core/jobs/job.schema';
import type { NewJob } from '@rackops/core/ports/store.port';
import { newId } from '@rackops/core/util/ids';
import { startDynalite } from '@rackops/local/dynalite';
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
    const rows = [
      { operation: 'put (create job + audit)', ops: n, per_s: round(putPerS) },
      { operation: 'conditional update', ops: n, per_s: round(condPerS) },
      { operation: 'claim (conditional start)', ops: n, per_s: round(claimPerS) },
      { operation: 'query (recent jobs, 20)', ops: Math.min(n, 1000), per_s: round(queryPerS) },
    ];
    printTable(rows);
    console.log(
      JSON.stringify({
        bench: 'store',
        put_per_s: round(putPerS),
        cond_update_per_s: round(condPerS),
        claim_per_s: round(claimPerS),
        query_per_s: round(queryPerS),
      }),
    );
  } finally {
    await dynalite.close();
  }
}
