import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Store } from '@rackops/core/ports/store.port';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { firstLine, stopChild, tsProcess } from '@rackops/local/runtime/child-process';
import { startBotOnlyStack } from '@rackops/local/web/bot-only-stack';
import { pino } from 'pino';
import { measureCardLag } from './support/bot/card-lag';
import { DirectLineClient, fromBot } from './support/bot/directline-client';
import type { GcLoopStats } from './support/bot/gc-loop-monitor';
import { botProcessNodeFlags } from './support/bot/lambda-heap-flags';
import { lambdaNodeOrOwn, nodeVersion } from './support/lambda-node';
import { processCpuMs } from './support/bot/process-cpu';

/**
 * `npm run bench -- bot [conversations] [rounds]`: N concurrent conversations, each sending messages (`help`,
 * `jobs`: message -> first reply) and then pressing a job card's Refresh (card action -> the card updated in
 * place), seen by long-polling Direct Line clients.
 *
 * First row set: production-like topology, measuring the bot and not the bench: DynamoDB (dynalite), the Direct
 * Line / Bot Connector endpoint and the bot each in a process of their own, the clients in this one. The bot
 * process reports its CPU time and Store calls, so each phase gives cpu ms and Store calls per turn (the figures
 * that do not depend on how loaded the machine is), each phase on an idle bot. Every process's CPU per turn (read
 * from /proc) gives the floor the shared cores put under the p99 (`burst_p99_floor_ms`), and the echo baseline
 * what the bot adds over the same run's floor (`reply_added_p99_ms`, `action_added_p99_ms`). Second row set:
 * everything in this process, as before.
 * Last, live cards: as many running jobs as conversations, each writing steps through the job-ops handler for
 * `[seconds]` (default 20); the time from a step write to the card update at the Bot Connector that shows it
 * (`card_lag_p50_ms`, `card_lag_p99_ms`; target p99 < 5 s with 50 jobs).
 */
interface BotStats extends Partial<GcLoopStats> {
  cpuMs: number;
  storeCalls: number;
  byMethod: Record<string, number>;
  turns: number;
  /** Requests the bot has not answered yet: a turn ends after the writes that follow its reply. */
  inFlight?: number;
  /** CPU ms used so far by each process of the stack (clients, Direct Line, dynalite, bot), read from outside. */
  stackCpuMs?: Record<string, number>;
}

interface Phase {
  ms: number[];
  cpuMsPerTurn?: number;
  storeCallsPerTurn?: number;
  byMethodPerTurn?: Record<string, number>;
  stackCpuMsPerTurn?: Record<string, number>;
  gc?: PhaseGc;
}

/** The bot process's GC and event loop over one phase: the monitor's fields, GC as the phase's difference. */
type PhaseGc = GcLoopStats;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Each process's CPU ms per measured turn between two readings. */
function stackPerTurn(before: BotStats | undefined, after: BotStats | undefined, turns: number) {
  if (!before?.stackCpuMs || !after?.stackCpuMs) return undefined;
  const out: Record<string, number> = {};
  for (const [proc, ms] of Object.entries(after.stackCpuMs))
    out[proc] = round1((ms - (before.stackCpuMs[proc] ?? 0)) / Math.max(1, turns));
  return out;
}

/** GC time between two readings; the loop's delay of the second (the first reset it). */
function phaseGc(before: BotStats | undefined, after: BotStats | undefined): { gc?: PhaseGc } {
  if (before?.gcMs === undefined || after?.gcMs === undefined) return {};
  return {
    gc: {
      gcMs: round1(after.gcMs - before.gcMs),
      minorGcMs: round1((after.minorGcMs ?? 0) - (before.minorGcMs ?? 0)),
      gcCount: (after.gcCount ?? 0) - (before.gcCount ?? 0),
      loopDelayP99Ms: after.loopDelayP99Ms ?? 0,
      loopDelayMaxMs: after.loopDelayMaxMs ?? 0,
      newSpaceMiB: after.newSpaceMiB ?? 0,
    },
  };
}

function perTurn(before: BotStats | undefined, after: BotStats | undefined, ms: number[]): Phase {
  if (!before || !after) return { ms };
  const stackCpuMsPerTurn = stackPerTurn(before, after, ms.length);
  const turns = Math.max(1, after.turns - before.turns);
  const byMethodPerTurn: Record<string, number> = {};
  for (const [m, n] of Object.entries(after.byMethod))
    byMethodPerTurn[m] = round1((n - (before.byMethod[m] ?? 0)) / turns);
  return {
    ms,
    cpuMsPerTurn: round1((after.cpuMs - before.cpuMs) / turns),
    storeCallsPerTurn: round1((after.storeCalls - before.storeCalls) / turns),
    byMethodPerTurn,
    ...(stackCpuMsPerTurn ? { stackCpuMsPerTurn } : {}),
    ...phaseGc(before, after),
  };
}

/**
 * The bot's counters once it has no turn under way. Each phase starts on an idle bot and ends when its own turns
 * have ended: without this, a phase's first round queued behind the writes the previous phase's turns make after
 * their replies (the job command's card records and audit), and those were counted as the next phase's CPU and
 * Store calls. Before a phase, `resetLoop` restarts the bot's loop-delay histogram with each reading, so the
 * reading after the phase gives the phase's own.
 */
async function settled(stats: BotStatsReader, resetLoop = false): Promise<BotStats | undefined> {
  const until = Date.now() + 30_000;
  for (;;) {
    const s = await stats(resetLoop);
    if (!s?.inFlight || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

type BotStatsReader = (resetLoop?: boolean) => Promise<BotStats | undefined>;

/** Drives the conversations against a Direct Line endpoint; `stats` reads the bot's counters between phases. */
async function drive(
  base: string,
  store: Store,
  conversations: number,
  rounds: number,
  stats: BotStatsReader,
): Promise<{ echo: Phase; reply: Phase; firstReply: Phase; action: Phase }> {
  // One finished job whose card every conversation shows and refreshes.
  const setup = await DirectLineClient.open(base, 'local-operator');
  await setup.waitFor(fromBot);
  await setup.post({ type: 'message', text: 'scp export LABA001' });
  await setup.waitFor((a) => fromBot(a) && !!a.attachments?.length);
  const job = (await store.listRecentJobs({ limit: 1 })).items[0];
  if (!job) throw new Error('no job');
  // One turn of each kind before anything is timed: a warm bot, as a Lambda instance is after its first
  // request. What a cold one costs is the bundle bench's `cold_import_ms`, and each conversation's first reply
  // is reported as a row of its own.
  for (const text of ['echo', 'help', 'jobs']) {
    await setup.post({ type: 'message', text });
    await setup.waitFor(fromBot);
  }
  await setup.post({ type: 'message', text: `job ${job.id}` });
  const warmCard = await setup.waitFor((a) => fromBot(a) && !!a.attachments?.length);
  const warmContent = warmCard.attachments?.[0]?.content as
    | { actions?: { title: string; data: unknown }[] }
    | undefined;
  const warmRefresh = warmContent?.actions?.find((a) => a.title === 'Refresh');
  if (warmRefresh) {
    await setup.post({ type: 'message', value: warmRefresh.data });
    await setup.waitFor((a) => a.id === warmCard.id);
  }

  const clients = await Promise.all(
    Array.from({ length: conversations }, async (_, i) => {
      const c = await DirectLineClient.open(base, `bench-user-${i}`);
      await c.waitFor(fromBot); // welcome
      return c;
    }),
  );
  const all = <T>(f: (c: DirectLineClient) => Promise<T>) => Promise.all(clients.map(f));

  // Baseline: the same clients, Direct Line and bot process, answered without the bot (`echo`).
  const echoMs: number[] = [];
  const e0 = await settled(stats, true);
  await all(async (c) => {
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await c.post({ type: 'message', text: 'echo' });
      await c.waitFor(fromBot);
      echoMs.push(performance.now() - t0);
    }
  });

  const e1 = await settled(stats);
  const replyMs: number[] = [];
  // A conversation's first message also writes its conversation reference: its replies are kept apart too.
  const firstReplyMs: number[] = [];
  const s0 = await settled(stats, true);
  await all(async (c) => {
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await c.post({ type: 'message', text: r % 2 ? 'jobs' : 'help' });
      await c.waitFor(fromBot);
      replyMs.push(performance.now() - t0);
      if (r === 0) firstReplyMs.push(performance.now() - t0);
    }
  });
  const s1 = await settled(stats);

  const cards = await all(async (c) => {
    await c.post({ type: 'message', text: `job ${job.id}` });
    const cardMsg = await c.waitFor((a) => fromBot(a) && !!a.attachments?.length);
    const card = cardMsg.attachments?.[0]?.content as { actions: { title: string; data: unknown }[] };
    const refresh = card.actions.find((a) => a.title === 'Refresh');
    if (!refresh) throw new Error('no Refresh button');
    return { id: cardMsg.id, data: refresh.data };
  });
  const actionMs: number[] = [];
  const s2 = await settled(stats, true);
  await Promise.all(
    clients.map(async (c, i) => {
      const card = cards[i];
      for (let r = 0; r < rounds && card; r++) {
        const t0 = performance.now();
        await c.post({ type: 'message', value: card.data });
        await c.waitFor((a) => a.id === card.id);
        actionMs.push(performance.now() - t0);
      }
    }),
  );
  const s3 = await settled(stats);
  return {
    echo: {
      ms: echoMs,
      ...(stackPerTurn(e0, e1, echoMs.length)
        ? { stackCpuMsPerTurn: stackPerTurn(e0, e1, echoMs.length) }
        : {}),
      ...phaseGc(e0, e1),
    },
    reply: perTurn(s0, s1, replyMs),
    firstReply: { ms: firstReplyMs },
    action: perTurn(s2, s3, actionMs),
  };
}

async function jsonLine<T>(child: ChildProcess, what: string): Promise<T> {
  return JSON.parse(await firstLine(child, what)) as T;
}

/** dynalite, the bot and the Direct Line endpoint in three processes; the clients here. */
async function separateProcesses(
  conversations: number,
  rounds: number,
  nodeFlags: string[],
  botNode: string,
) {
  const children: ChildProcess[] = [];
  const spawn = (script: string, args: string[]) => {
    const child = tsProcess(script, args);
    children.push(child);
    return child;
  };
  let client: DynamoDBClient | undefined;
  try {
    const dynalite = spawn('bench/src/support/dynalite-main.ts', []);
    const { endpoint } = await jsonLine<{ endpoint: string }>(dynalite, 'dynalite');
    // BENCH_BOT_CPU_PROF=<dir>: the bot process writes a V8 CPU profile there when it stops.
    const profDir = process.env.BENCH_BOT_CPU_PROF;
    const botProcess = tsProcess(
      'bench/src/support/bot/bot-main.ts',
      ['--dynamo', endpoint],
      'ignore',
      [...nodeFlags, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
      botNode,
    );
    children.push(botProcess);
    const bot = await jsonLine<{ url: string }>(botProcess, 'the bot');
    const directLine = spawn('bench/src/support/bot/directline-main.ts', ['--bot', bot.url]);
    const dl = await jsonLine<{ url: string }>(directLine, 'Direct Line');
    client = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = createDynamoStore({ client, tableName: 'rackops' });
    const statsUrl = bot.url.replace(/api\/messages$/, 'stats');
    // Every process of the stack shares this machine's cores: their CPU per turn says where a turn's time goes.
    const stackCpuMs = () => {
      const own = process.cpuUsage();
      const out: Record<string, number> = { clients: (own.user + own.system) / 1000 };
      const procs = { directline: directLine, dynalite, bot: botProcess };
      for (const [name, child] of Object.entries(procs)) {
        const ms = processCpuMs(child.pid);
        if (ms !== undefined) out[name] = ms;
      }
      return out;
    };
    return await drive(dl.url, store, conversations, rounds, async (resetLoop) => {
      const res = await fetch(resetLoop ? `${statsUrl}?reset=loop` : statsUrl);
      return { ...((await res.json()) as BotStats), stackCpuMs: stackCpuMs() };
    });
  } finally {
    client?.destroy();
    for (const child of children.reverse()) await stopChild(child);
  }
}

/** Everything in this process (bot, Direct Line, dynalite, clients): the figure before the split. */
async function inProcess(conversations: number, rounds: number) {
  const stack = await startBotOnlyStack({
    logger: pino({ level: 'silent' }),
    config: { progressMinIntervalMs: 0 },
  });
  try {
    return await drive(stack.localBot.chat.url, stack.store, conversations, rounds, async () => undefined);
  } finally {
    await stack.close();
  }
}

export async function run(args: string[]): Promise<void> {
  const conversations = Number(args[0] ?? 50);
  const rounds = Number(args[1] ?? 3);
  // The bot process gets the bot Lambda's heap flags (lambda-heap-flags.ts); BENCH_BOT_NODE_FLAGS replaces them.
  const botFlags = botProcessNodeFlags();
  // The bot process runs on the bot Lambda's Node release (lambda-node.ts) when it can be had; BENCH_BOT_NODE=<path>
  // names another `node` (e.g. this one, process.execPath, for an A/B).
  const override = process.env.BENCH_BOT_NODE;
  const botNode = override
    ? { path: override, version: nodeVersion(override) ?? '?' }
    : lambdaNodeOrOwn('the bot runs');
  const split = await separateProcesses(conversations, rounds, botFlags, botNode.path);
  const together = await inProcess(conversations, rounds);
  const lag = await measureCardLag(conversations, Number(args[2] ?? 20));

  console.log(
    `bot over Direct Line, ${conversations} concurrent conversations, ${rounds} rounds each; the bot process on Node ${botNode.version}`,
  );
  const row = (setup: string, measure: string, p: Phase) => ({
    setup,
    measure,
    n: p.ms.length,
    'p50 ms': round1(percentile(p.ms, 50)),
    'p99 ms': round1(percentile(p.ms, 99)),
    'max ms': round1(Math.max(...p.ms)),
    'bot cpu ms/turn': p.cpuMsPerTurn ?? '-',
    'Store calls/turn': p.storeCallsPerTurn ?? '-',
  });
  console.table([
    row('separate processes', 'baseline: echo (no bot)', split.echo),
    row('separate processes', 'message -> first reply', split.reply),
    row('separate processes', "  of which each conversation's first", split.firstReply),
    row('separate processes', 'card action -> card updated', split.action),
    row('one process', 'message -> first reply', together.reply),
    row('one process', 'card action -> card updated', together.action),
  ]);
  console.log(
    `live cards: ${lag.jobs} running jobs, ${lag.writes} step writes, ${lag.updates} card updates, ` +
      `${lag.unseen} writes never shown; write -> card update p50 ${round1(percentile(lag.lagMs, 50))} ms, ` +
      `p99 ${round1(percentile(lag.lagMs, 99))} ms`,
  );
  console.log('Store calls per turn by method:');
  console.table({ reply: split.reply.byMethodPerTurn ?? {}, action: split.action.byMethodPerTurn ?? {} });
  const phases = { echo: split.echo, reply: split.reply, action: split.action };
  console.log(`bot process GC and event loop per phase (node ${botFlags.join(' ') || 'defaults'}):`);
  console.table(Object.fromEntries(Object.entries(phases).map(([k, p]) => [k, p.gc ?? {}])));
  const gcField = (f: (g: PhaseGc) => number) =>
    Object.fromEntries(Object.entries(phases).map(([k, p]) => [k, p.gc ? f(p.gc) : undefined]));
  // The N conversations send their first message together, and all the processes share this machine's cores: the
  // last of those N turns cannot be answered before N x (CPU per turn, all processes) / cores, however short a lone
  // turn is. That is a floor under the p99 of this bench here, whatever the bot does with its own share.
  const cores = availableParallelism();
  const stack = { echo: split.echo, reply: split.reply, action: split.action };
  const cpuPerTurn = Object.fromEntries(
    Object.entries(stack).map(([k, p]) => [k, p.stackCpuMsPerTurn ?? {}]),
  );
  const p99Floor = Object.fromEntries(
    Object.entries(cpuPerTurn).map(([k, byProc]) => [
      k,
      round1((conversations * Object.values(byProc).reduce((a, b) => a + b, 0)) / cores),
    ]),
  );
  console.log(`CPU ms per turn by process (${cores} cores; p99 floor = conversations x sum / cores):`);
  console.table(
    Object.fromEntries(
      Object.entries(cpuPerTurn).map(([k, v]) => [k, { ...v, 'p99 floor ms': p99Floor[k] }]),
    ),
  );
  // What the bot adds over the floor of the same run (clients, Direct Line and the bot process answering `echo`):
  // on a shared 2-core machine the absolute figures follow the load of the moment; this is the bot's own share.
  const echoP99 = percentile(split.echo.ms, 99);
  const replyP99 = percentile(split.reply.ms, 99);
  const actionP99 = percentile(split.action.ms, 99);
  console.log(
    `over the echo floor (p99 ${round1(echoP99)} ms): reply +${round1(replyP99 - echoP99)} ms ` +
      `(x${(replyP99 / echoP99).toFixed(2)}), card action +${round1(actionP99 - echoP99)} ms (x${(actionP99 / echoP99).toFixed(2)})`,
  );
  console.log(
    JSON.stringify({
      bench: 'bot',
      conversations,
      // The Node the bot process ran on (the bot Lambda's release unless BENCH_BOT_NODE named another).
      bot_node: botNode.version,
      reply_p50_ms: round1(percentile(split.reply.ms, 50)),
      reply_p99_ms: round1(replyP99),
      echo_p50_ms: round1(percentile(split.echo.ms, 50)),
      echo_p99_ms: round1(echoP99),
      action_p50_ms: round1(percentile(split.action.ms, 50)),
      action_p99_ms: round1(actionP99),
      reply_added_p99_ms: round1(replyP99 - echoP99),
      action_added_p99_ms: round1(actionP99 - echoP99),
      reply_cpu_ms: split.reply.cpuMsPerTurn,
      action_cpu_ms: split.action.cpuMsPerTurn,
      store_calls_per_turn: { reply: split.reply.storeCallsPerTurn, action: split.action.storeCallsPerTurn },
      stack_cpu_ms_per_turn: cpuPerTurn,
      burst_p99_floor_ms: p99Floor,
      // The bot process over each phase: GC pauses (ms, all of the phase's turns) and its loop's delay.
      bot_gc_ms: gcField((g) => g.gcMs),
      bot_loop_delay_p99_ms: gcField((g) => g.loopDelayP99Ms),
      bot_loop_delay_max_ms: gcField((g) => g.loopDelayMaxMs),
      bot_new_space_mib: split.reply.gc?.newSpaceMiB,
      bot_node_flags: botFlags.join(' '),
      card_lag_p50_ms: round1(percentile(lag.lagMs, 50)),
      card_lag_p99_ms: round1(percentile(lag.lagMs, 99)),
      card_updates: lag.updates,
      card_writes: lag.writes,
      card_writes_unseen: lag.unseen,
      in_process: {
        reply_p50_ms: round1(percentile(together.reply.ms, 50)),
        reply_p99_ms: round1(percentile(together.reply.ms, 99)),
        action_p50_ms: round1(percentile(together.action.ms, 50)),
        action_p99_ms: round1(percentile(together.action.ms, 99)),
      },
    }),
  );
}
