import '@rackops/core/polyfills';
import type { Job } from '@rackops/core/jobs/job.schema';
import { newId } from '@rackops/core/util/ids';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import { AwsMeter, type MeterSnapshot } from '@rackops/local/metering/aws-meter';
import { startLocalStack } from '@rackops/local/stack';
import { pino } from 'pino';
import { fixedMonthlyFromTemplates } from './cost/fixed-costs';
import { HOURS_PER_MONTH, LAMBDA_MEMORY_MB, PRICE_REGION, PRICES, PRICES_AS_OF } from './cost/prices';
import { printTable, round } from './support/report';

/**
 * `npm run bench -- cost`: the AWS bill of RackOps, from what the local stack actually does. An inventory
 * sync (then a second, unchanged one: the hourly steady state) and a rolling update of a lab cluster run on
 * the local stack with an AwsMeter attached: every SDK call by service and operation, DynamoDB capacity as
 * the table reports it, Step Functions transitions from the engine, Lambda invocations × measured duration ×
 * configured memory. Priced with the dated us-east-1 table (cost/prices.ts), plus the fixed monthly floor
 * counted from the synthesized templates (alarms, keys, secrets). Extrapolated linearly per host (an upper
 * bound: per-job parts do not grow with hosts): an idle month of 500 hosts synced hourly, one 100-host rollout.
 * Targets (issue 20): < $3 / < $0.10.
 */
/** Two lab sizes: the hourly sync's cost is fitted as per sync + per host × hosts from both. */
const SMALL = 4;
const HOSTS = 12;
const TIME_SCALE = 1 / 60;
const IDLE_HOSTS = 500;
const ROLLOUT_HOSTS = 100;

function costLab(n: number): LabConfigInput {
  const hosts = Array.from({ length: n }, (_, i) => ({
    serviceTag: `COST${String(i + 1).padStart(3, '0')}`,
    name: `esx-cost${String(i + 1).padStart(2, '0')}.lab.local`,
    cpuMhz: 128_000,
    memoryMiB: 524_288,
    firmware: { profile: 'outdated' as const, versions: {} },
  }));
  const vms = Array.from({ length: n * 4 }, (_, i) => ({
    name: `cost-vm-${String(i + 1).padStart(3, '0')}`,
    host: hosts[i % n]!.serviceTag,
    cpuMhz: 2_000,
    memoryMiB: 16 * 1024,
  }));
  return {
    name: 'cost',
    vcenters: [
      {
        id: 'vc-lab',
        name: 'vc-lab.lab.local',
        clusters: [
          { name: 'cost', ha: { haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 }, hosts },
        ],
        vms,
      },
    ],
    omes: [{ id: 'ome-lab' }],
  };
}

/** $ by line item for what the meter saw. */
function priceOf(s: MeterSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (k: string, usd: number) => {
    if (usd > 0) out[k] = (out[k] ?? 0) + usd;
  };
  add('Step Functions transitions', s.transitions * PRICES.sfnTransition);
  for (const [name, use] of Object.entries(s.lambdas)) {
    const gb = (LAMBDA_MEMORY_MB[name] ?? 512) / 1024;
    add(`Lambda ${name} GB-s`, (use.totalMs / 1000) * gb * PRICES.lambdaGbSecond);
    add('Lambda requests', use.invocations * PRICES.lambdaRequest);
  }
  add('DynamoDB writes (WRU)', s.dynamoWriteUnits * PRICES.dynamoWru);
  add('DynamoDB reads (RRU)', s.dynamoReadUnits * PRICES.dynamoRru);
  for (const [call, n] of Object.entries(s.calls)) {
    // Long polls are always on whatever the traffic: priced once, as the month's polling, not per run.
    if (!call.startsWith('SQS:') || call === 'SQS:ReceiveMessage') continue;
    // Only the commands queue is FIFO; pricing every SQS call at the FIFO rate keeps the figure an upper bound.
    add('SQS requests', n * PRICES.sqsFifoRequest);
  }
  // Claim invocations are what EventBridge Scheduler fires in AWS.
  add('EventBridge Scheduler invocations', (s.lambdas.claim?.invocations ?? 0) * PRICES.schedulerInvocation);
  // Relay keys are cached 5 min per container: at most one GetSecretValue (+ its KMS Decrypt) per keyed burst.
  const keyed = (s.lambdas.dispatch ? 1 : 0) + (s.lambdas.result ? 1 : 0);
  add('Secrets Manager GetSecretValue', keyed * PRICES.secretsApiCall);
  // KMS data keys (SQS, DynamoDB) are reused for 5 min: a few GenerateDataKey/Decrypt per burst and principal.
  add('KMS requests (data keys)', (keyed + 2) * 2 * PRICES.kmsRequest);
  return out;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const scale = (r: Record<string, number>, f: number) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v * f]));
const merge = (...rs: Record<string, number>[]) => {
  const out: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
};

async function waitDone(store: { getJob(id: string): Promise<Job | undefined> }, jobId: string) {
  const end = Date.now() + 1_200_000;
  while (Date.now() < end) {
    const j = await store.getJob(jobId);
    if (j && ['completed', 'failed', 'cancelled'].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${jobId} did not finish`);
}

interface Measured {
  first: MeterSnapshot;
  hourly: MeterSnapshot;
  rollout?: MeterSnapshot;
}

/** A lab of `hosts` on the metered local stack: two syncs of both sources, then (when asked) a rollout. */
async function measure(hosts: number, withRollout: boolean): Promise<Measured> {
  const meter = new AwsMeter();
  const logger = pino({ level: 'silent' });
  const stack = await startLocalStack({ lab: costLab(hosts), timeScale: TIME_SCALE, logger, meter });
  const actor = { kind: 'user' as const, id: 'bench' };
  const newJob = async (type: Job['type'], target: Job['target'], params: Record<string, unknown>) => {
    const now = new Date().toISOString();
    const job = await stack.store.createJob({
      id: newId(),
      type,
      target,
      params,
      createdBy: { kind: 'user', id: 'bench', name: 'bench' },
      createdAt: now,
      scheduleAt: now,
      details: {},
      requiresApproval: false,
    });
    await stack.startJob(job.id, actor);
    const done = await waitDone(stack.store, job.id);
    if (done.status !== 'completed') throw new Error(`${type} ${done.status}: ${done.error?.slice(0, 300)}`);
    return done;
  };
  const syncAll = async () => {
    await newJob('inventory_sync', { kind: 'vcenter', id: 'vc-lab' }, { source: 'vcenter' });
    await newJob('inventory_sync', { kind: 'ome', id: 'ome-lab' }, { source: 'ome' });
  };
  try {
    meter.reset();
    await syncAll();
    const first = meter.snapshot();
    meter.reset();
    await syncAll();
    const hourly = meter.snapshot();
    if (!withRollout) return { first, hourly };
    const clusters = await stack.store.listRecordsByType<{ name: string }>('cluster');
    const cluster = clusters.items.find((c) => c.data.name === 'cost');
    if (!cluster) throw new Error('cost cluster not in inventory after sync');
    meter.reset();
    await newJob('rolling_cluster_update', { kind: 'cluster', id: cluster.id }, {});
    return { first, hourly, rollout: meter.snapshot() };
  } finally {
    await stack.stop();
  }
}

/** Per line item: a + b × hosts through the two measured sizes (b, a ≥ 0), evaluated at `hosts`. */
function fitPerHost(small: Record<string, number>, large: Record<string, number>, hosts: number) {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(small), ...Object.keys(large)])) {
    const b = Math.max(0, ((large[k] ?? 0) - (small[k] ?? 0)) / (HOSTS - SMALL));
    const a = Math.max(0, (small[k] ?? 0) - b * SMALL);
    out[k] = a + b * hosts;
  }
  return out;
}

export async function run(_args: string[]): Promise<void> {
  const small = await measure(SMALL, false);
  const large = await measure(HOSTS, true);
  const rollout = large.rollout as MeterSnapshot;

  const fixed = fixedMonthlyFromTemplates();
  // Always-on polling, not seen in a short run: the Lambda event source mapping long-polls the results
  // queue (≈ 5 pollers × 3 a minute) and the relay agent long-polls the commands queue (3 a minute).
  const pollsPerMonth = (5 * 3 + 3) * 60 * HOURS_PER_MONTH;
  const polling = {
    'SQS long polls, always on (event source + agent)': pollsPerMonth * PRICES.sqsFifoRequest,
  };
  const hourly500 = fitPerHost(priceOf(small.hourly), priceOf(large.hourly), IDLE_HOSTS);
  const idleMonth = merge(fixed.usd, polling, scale(hourly500, HOURS_PER_MONTH));
  // One rollout size measured: scaled per host, an upper bound (per-job parts do not grow with hosts).
  const rollout100 = scale(priceOf(rollout), ROLLOUT_HOSTS / HOSTS);
  const idleUsd = sum(idleMonth);
  const rolloutUsd = sum(rollout100);

  const rows = (title: string, r: Record<string, number>) =>
    Object.entries(r)
      .sort(([, a], [, b]) => b - a)
      .map(([item, usd]) => ({ scenario: title, item, usd: round(usd, 4) }));
  printTable([...rows('idle month, 500 hosts', idleMonth), ...rows('one 100-host rollout', rollout100)]);
  const count = (s: MeterSnapshot) =>
    `${s.transitions} transitions, ${Object.values(s.calls).reduce((a, b) => a + b, 0)} AWS calls, ${round(s.dynamoWriteUnits)} WRU, ${round(s.dynamoReadUnits)} RRU, ${Object.values(s.lambdas).reduce((a, l) => a + l.invocations, 0)} Lambda invocations`;
  for (const [n, m] of [
    [SMALL, small],
    [HOSTS, large],
  ] as const) {
    console.log(`${n} hosts — first sync (both sources): ${count(m.first)}`);
    console.log(`${n} hosts — unchanged (hourly) sync: ${count(m.hourly)}`);
  }
  console.log(`${HOSTS} hosts — rollout: ${count(rollout)}`);
  console.log(`rollout calls: ${JSON.stringify(rollout.calls)}`);
  const fixedUsd = sum(fixed.usd);
  console.log(
    `prices: ${PRICE_REGION} list prices as of ${PRICES_AS_OF}, free tiers not applied; fixed floor $${round(fixedUsd, 2)}/month; targets < $3 / < $0.10`,
  );
  const top = Object.entries(merge(idleMonth, rollout100))
    .sort(([, a], [, b]) => b - a)
    .slice(0, 5)
    .map(([item, usd]) => ({ item, usd: round(usd, 4) }));
  console.log(
    JSON.stringify({
      bench: 'cost',
      idle_month_usd: round(idleUsd, 2),
      rollout_100_usd: round(rolloutUsd, 3),
      fixed_month_usd: round(fixedUsd, 2),
      idle_variable_month_usd: round(idleUsd - fixedUsd, 3),
      transitions_per_host_rollout: round(rollout.transitions / HOSTS, 1),
      top,
    }),
  );
}
