import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRunningBenchJob } from './support/bot/running-bench-job';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { firstLine, stopChild, tsProcess } from '@rackops/local/runtime/child-process';
import { createInterface } from 'node:readline';
import { DirectLineClient, fromBot } from './support/bot/directline-client';

/**
 * `npm run bench -- card-lag [jobs] [seconds]`: live cards and notifications with the bot in another process than
 * the workflow side, as deployed (the job-ops Lambda posts to the Bot Connector itself). Processes: dynalite, the
 * bot, the local Direct Line / Bot Connector, and the engine side (support/bot/engine-main.ts: the job-ops handler
 * wired as in AWS); the chat clients here. `jobs` running jobs (default 50), each with its card in its own
 * conversation, write a step every 0.5–1.5 s for `seconds` (default 20), then pause.
 * - step write -> the first card update in the chat that shows it (`card_lag_p50_ms`, `card_lag_p99_ms`; target p99
 *   < 5 s with 50 jobs; the throttle, `progressMinIntervalMs`, is part of it);
 * - `job_paused` raised -> the card showing the pause, and -> the pause message in the chat (`pause_card_*`,
 *   `pause_message_*`).
 * Times cross processes, so they are wall-clock epoch ms on the one machine. The engine side's CPU ms per job-ops
 * call (render, Store, send) does not depend on how loaded the machine is; the lags do, so the load is printed.
 */
interface EngineReport {
  jobs: { jobId: string; writes: number[]; pausedAt: number }[];
  progressMinIntervalMs: number;
  ops: number;
  cpuMs: number;
}

const STEP = /Bench step (\d+)\b/g;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}
const round1 = (x: number) => Math.round(x * 10) / 10;

/** What one conversation saw: card updates (time, highest step shown, paused?) and the pause message's time. */
interface Seen {
  cards: { at: number; maxStep: number; paused: boolean }[];
  pauseMessageAt?: number;
}

async function watch(c: DirectLineClient, cardId: string | undefined, done: () => boolean): Promise<Seen> {
  const seen: Seen = { cards: [] };
  while (!(done() && seen.pauseMessageAt !== undefined && seen.cards.some((x) => x.paused))) {
    const a = await c
      .waitFor((x) => x.id === cardId || (fromBot(x) && (x.text ?? '').startsWith('⏸️ Paused')), 5_000)
      .catch(() => undefined);
    const at = Date.now();
    if (!a) {
      if (done()) break;
      continue;
    }
    if (a.id === cardId) {
      const body = JSON.stringify(a);
      const steps = [...body.matchAll(STEP)].map((m) => Number(m[1]));
      seen.cards.push({ at, maxStep: Math.max(-1, ...steps), paused: body.includes('Paused: bench pause') });
    } else seen.pauseMessageAt ??= at;
  }
  return seen;
}

export async function run(args: string[]): Promise<void> {
  const jobs = Number(args[0] ?? 50);
  const seconds = Number(args[1] ?? 20);
  const children: ChildProcess[] = [];
  const spawn = (script: string, a: string[]) => {
    const child = tsProcess(script, a);
    children.push(child);
    return child;
  };
  const dir = mkdtempSync(join(tmpdir(), 'rackops-card-lag-'));
  let client: DynamoDBClient | undefined;
  try {
    const { endpoint } = JSON.parse(
      await firstLine(spawn('bench/src/support/dynalite-main.ts', []), 'dynalite'),
    ) as { endpoint: string };
    const bot = JSON.parse(
      await firstLine(spawn('bench/src/support/bot/bot-main.ts', ['--dynamo', endpoint]), 'the bot'),
    ) as { url: string };
    const dl = JSON.parse(
      await firstLine(spawn('bench/src/support/bot/directline-main.ts', ['--bot', bot.url]), 'Direct Line'),
    ) as { url: string };
    client = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = createDynamoStore({ client, tableName: 'rackops' });

    // Each job started, in its own conversation, its card posted by the bot (which keeps where it is).
    const setups = await Promise.all(
      Array.from({ length: jobs }, async (_, i) => {
        const c = await DirectLineClient.open(dl.url, 'local-operator');
        await c.waitFor(fromBot);
        const job = await createRunningBenchJob(store, i, c.conversationId);
        await c.post({ type: 'message', text: `job ${job.id}` });
        const card = await c.waitFor((a) => fromBot(a) && !!a.attachments?.length);
        return { jobId: job.id, c, cardId: card.id };
      }),
    );
    const jobsFile = join(dir, 'jobs.json');
    writeFileSync(jobsFile, JSON.stringify(setups.map((s) => s.jobId)));

    const engine = spawn('bench/src/support/bot/engine-main.ts', [
      '--dynamo',
      endpoint,
      '--jobs',
      jobsFile,
      '--seconds',
      String(seconds),
    ]);
    const lines = createInterface({ input: engine.stdout! });
    const reportLine = new Promise<string>((resolve, reject) => {
      lines.on('line', (l) => {
        if (l.startsWith('{"jobs"')) resolve(l);
      });
      engine.once('exit', (code) => reject(new Error(`the engine side exited (${code}) without its report`)));
    });
    let engineDone = false;
    const report = reportLine.then((l) => {
      engineDone = true;
      return JSON.parse(l) as EngineReport;
    });
    const load = loadavg()[0] ?? 0;
    const seen = await Promise.all(setups.map((s) => watch(s.c, s.cardId, () => engineDone)));
    const { jobs: written, progressMinIntervalMs, ops, cpuMs } = await report;

    const cardLag: number[] = [];
    const pauseCard: number[] = [];
    const pauseMessage: number[] = [];
    let writes = 0;
    let unseen = 0;
    let updates = 0;
    setups.forEach((s, i) => {
      const w = written.find((x) => x.jobId === s.jobId);
      const v = seen[i];
      if (!w || !v) return;
      writes += w.writes.length;
      updates += v.cards.length;
      w.writes.forEach((at, n) => {
        const first = v.cards.find((x) => x.maxStep >= n);
        if (first) cardLag.push(first.at - at);
        else unseen++;
      });
      const paused = v.cards.find((x) => x.paused);
      if (paused) pauseCard.push(paused.at - w.pausedAt);
      if (v.pauseMessageAt !== undefined) pauseMessage.push(v.pauseMessageAt - w.pausedAt);
    });

    const row = (measure: string, ms: number[]) => ({
      measure,
      n: ms.length,
      'p50 ms': round1(percentile(ms, 50)),
      'p99 ms': round1(percentile(ms, 99)),
      'max ms': ms.length ? round1(Math.max(...ms)) : 0,
    });
    console.log(
      `live cards and notifications, bot and engine side in separate processes: ${jobs} running jobs, ` +
        `${writes} step writes over ${seconds} s, ${updates} card updates, ${unseen} writes never shown ` +
        `(throttle ${progressMinIntervalMs} ms per job); engine side ${ops} job-ops calls, ` +
        `${round1(cpuMs / Math.max(1, ops))} CPU ms each; load average ${round1(load)} on ${cpus().length} cores`,
    );
    console.table([
      row('step write -> card in the chat', cardLag),
      row('job_paused raised -> card shows the pause', pauseCard),
      row('job_paused raised -> pause message in the chat', pauseMessage),
    ]);
    console.log(
      JSON.stringify({
        bench: 'card-lag',
        topology: 'separate processes',
        jobs,
        seconds,
        throttle_ms: progressMinIntervalMs,
        card_writes: writes,
        card_updates: updates,
        card_writes_unseen: unseen,
        card_lag_p50_ms: round1(percentile(cardLag, 50)),
        card_lag_p99_ms: round1(percentile(cardLag, 99)),
        pause_card_p50_ms: round1(percentile(pauseCard, 50)),
        pause_card_p99_ms: round1(percentile(pauseCard, 99)),
        pause_message_p50_ms: round1(percentile(pauseMessage, 50)),
        pause_message_p99_ms: round1(percentile(pauseMessage, 99)),
        pauses_told: pauseMessage.length,
        engine_ops: ops,
        engine_cpu_ms_per_op: round1(cpuMs / Math.max(1, ops)),
        load_avg_1m: round1(load),
        cores: cpus().length,
      }),
    );
  } finally {
    client?.destroy();
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
