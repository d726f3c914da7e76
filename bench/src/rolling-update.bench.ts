import { REDACTING_LOGGER } from '@rackops/core/util/redaction';
import '@rackops/core/polyfills';
import type { LabConfigInput } from '@rackops/lab/config/lab-config.schema';
import type { RelayCommandRecord } from '@rackops/core/relay/relay-command-record';
import { RELAY_COMMAND_TYPE } from '@rackops/core/relay/relay-command-record';
import type { AslMachine, AslState } from '@rackops/core/workflows/asl';
import { buildWorkflowDefinitions } from '@rackops/core/workflows/index';
import { newId } from '@rackops/core/util/ids';
import { labCatalog, startLocalStack } from '@rackops/local/stack';
import { HEARTBEAT } from '@rackops/core/workflows/timing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { overheadSplit } from './support/overhead-split';
import { slotChains } from './support/slot-chains';
import { startRoundTripProbe } from './support/round-trip-probe';
import { processCpuMs } from './support/bot/process-cpu';
import { availableParallelism } from 'node:os';
import { startAgentProcess, startDynamoProcess, startLabProcess } from './support/processes';
import { pino } from 'pino';

/**
 * Rolling update of a 16-host lab cluster at a fixed time scale, through the real local stack (engine, JobOps,
 * dispatch/results over the SQS emulator, relay agent, lab). Measured: RackOps' makespan. Derived from the same
 * run's measured device times: the seed's way (one host at a time, firmware uploaded inside maintenance mode)
 * and the lower bound ⌈N/k⌉ × the shortest out-of-service time (enter + apply/reboot/reconnect + exit).
 * State transitions per host (what AWS bills): on the definition's happy path, and as the engine counted the
 * states the rollout's execution entered (by name).
 */
const HOSTS = 16;
const TIME_SCALE = 1 / 60;

/**
 * The round trips one after the other in a host's measured window (its step's start to its end, minus device
 * time), with three commands: host-begin's writes and the first dispatch's read (2); per command, the dispatch's
 * writes before its send (3) and the send to the agent's waiting poll (3 queue); per result, its transit to the
 * results poller (3 queue), the authenticity read and the result's writes (6), then the next dispatch's read or
 * host-done's read (3). Engine hops and CPU come on top: this is the floor the Store and the queue put under it.
 */
const HOST_HOPS = { store: 14, queue: 6 } as const;

function benchLab(): LabConfigInput {
  const hosts = Array.from({ length: HOSTS }, (_, i) => ({
    serviceTag: `BENCH${String(i + 1).padStart(3, '0')}`,
    name: `esx-bench${String(i + 1).padStart(2, '0')}.lab.local`,
    cpuMhz: 128_000,
    memoryMiB: 524_288,
    firmware: { profile: 'outdated' as const, versions: {} },
  }));
  // 64 VMs × 78 GiB: demand + 10 % headroom needs 11 hosts; HA failover level 1 → k = 16 − 11 − 1 = 4.
  const vms = Array.from({ length: 64 }, (_, i) => ({
    name: `bench-vm-${String(i + 1).padStart(3, '0')}`,
    host: hosts[i % HOSTS]!.serviceTag,
    cpuMhz: 3_000,
    memoryMiB: 78 * 1024,
  }));
  return {
    name: 'bench',
    vcenters: [
      {
        id: 'vc-lab',
        name: 'vc-lab.lab.local',
        clusters: [
          { name: 'bench', ha: { haEnabled: true, admissionControlEnabled: true, failoverLevel: 1 }, hosts },
        ],
        vms,
      },
    ],
    omes: [{ id: 'ome-lab' }],
  };
}

/** States entered on the happy path of one pass through `m` (Choices: the named branch, else the first). */
function happyPath(m: AslMachine, choose: Record<string, string> = {}): { name: string; state: AslState }[] {
  const out: { name: string; state: AslState }[] = [];
  let name: string | undefined = m.StartAt;
  while (name) {
    const state: AslState = m.States[name]!;
    out.push({ name, state });
    if (state.Type === 'Choice') {
      name = choose[name] ?? (state.Choices as { Next: string }[])[0]!.Next;
    } else name = state.End ? undefined : (state.Next as string | undefined);
  }
  return out;
}

/**
 * Transitions on the happy path (AWS bills each state entered): every state on the path once, a Parallel's
 * branches, and a Map's processor once per item (the VM power Maps and Unstage run empty on the happy path).
 * Waiting begins cost nothing (a parked task token, woken by the op that frees them).
 */
function transitionsPerHost(applyNowHosts: number): { perHost: number; detail: string } {
  const def = buildWorkflowDefinitions()['rolling-cluster-update'];
  const choose = { BlockerDecision: 'ApplyResolution' };
  const items: Record<string, number> = {
    PreflightHosts: HOSTS,
    Backup: HOSTS,
    StageFirmware: HOSTS,
    Hosts: HOSTS,
    ApplyNow: applyNowHosts,
  };
  const parts: Record<string, number> = {};
  const count = (m: AslMachine): number =>
    happyPath(m, choose).reduce((sum, { name, state }) => {
      let n = 1;
      for (const b of (state.Branches as AslMachine[] | undefined) ?? []) n += count(b);
      if (state.ItemProcessor) {
        const each = count(state.ItemProcessor as AslMachine);
        parts[name] = each;
        n += (items[name] ?? 0) * each;
      }
      return sum + n;
    }, 0);
  const total = count(def);
  return {
    perHost: Math.round((total / HOSTS) * 10) / 10,
    detail: `per host: ${Object.entries(parts)
      .filter(([name]) => items[name])
      .map(([name, n]) => `${name} ${n}${name === 'ApplyNow' ? ` × ${applyNowHosts} hosts` : ''}`)
      .join(' + ')} and the top level`,
  };
}

const sec = (ms: number) => Math.round(ms / 100) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
};

export async function run(args: string[]): Promise<void> {
  // LOG_LEVEL=debug shows every JobOps call with its duration (on stderr, away from the table).
  const logger = pino({ ...REDACTING_LOGGER, level: process.env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
  // Production's topology by default: devices, the relay agent and DynamoDB are not on the orchestrator's event loop
  // (16 simulated iDRACs, a vCenter and the agent on it made the start of the rollout CPU-bound).
  // `--single-process` runs everything in this process, as `npm start` does.
  const single = args.includes('--single-process');
  const stops: (() => Promise<void>)[] = [];
  // States entered by name, counted by the engine (reset when the rollout starts): what AWS would bill.
  const entered = new Map<string, number>();
  const onTransition = (state: string) => entered.set(state, (entered.get(state) ?? 0) + 1);
  const childLab = single ? undefined : await startLabProcess(benchLab(), TIME_SCALE);
  if (childLab) stops.push(() => childLab.stop());
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  let dynamo: Awaited<ReturnType<typeof startDynamoProcess>> | undefined;
  try {
    // DynamoDB is a service of its own in AWS: here its stand-in gets a process of its own too.
    const started = childLab ? await startDynamoProcess() : undefined;
    if (started) stops.push(() => started.stop());
    dynamo = started;
    stack = childLab
      ? await startLocalStack({
          timeScale: TIME_SCALE,
          logger,
          agent: false,
          catalog: labCatalog(childLab),
          onTransition,
          ...(dynamo ? { dynamoEndpoint: dynamo.endpoint } : {}),
        })
      : await startLocalStack({ lab: benchLab(), timeScale: TIME_SCALE, logger, onTransition });
  } catch (err) {
    for (const stop of stops) await stop();
    throw err;
  }
  stops.unshift(() => stack.stop());
  let agentPid: number | undefined;
  try {
    if (childLab) {
      const c = stack.config;
      const agent = await startAgentProcess({
        lab: childLab,
        sqsEndpoint: c.sqsEndpoint,
        commandsUrl: c.commandsQueueUrl,
        resultsUrl: c.resultsQueueUrl,
        signingKey: readFileSync(c.relayKeyFile, 'utf8').trim(),
        dir: join(c.dataDir, 'relay'),
        timeScale: TIME_SCALE,
        progressSeconds: Math.min(5, Math.max(HEARTBEAT * 1000 * TIME_SCALE, 3000) / 1000 / 4),
        // The production agent's cadence (5 s) at the lab's time scale: in its own process it can afford it.
        pollIntervalMs: Math.round(5000 * TIME_SCALE),
      });
      stops.unshift(() => agent.stop());
      agentPid = agent.pid;
    }
    // Inventory first (what `inventory sync` does), then the job.
    const sync = await stack.store.createJob({
      id: newId(),
      type: 'inventory_sync',
      target: { kind: 'vcenter', id: 'vc-lab' },
      params: { source: 'vcenter' },
      createdBy: { kind: 'user', id: 'bench', name: 'bench' },
      createdAt: new Date().toISOString(),
      scheduleAt: new Date().toISOString(),
      details: {},
      requiresApproval: false,
    });
    await stack.startJob(sync.id, { kind: 'user', id: 'bench' });
    await waitDone(stack, sync.id);
    const clusters = await stack.store.listRecordsByType<{ name: string }>('cluster');
    const cluster = clusters.items.find((c) => c.data.name === 'bench');
    if (!cluster) throw new Error('bench cluster not in inventory after sync');
    const now = new Date().toISOString();
    const job = await stack.store.createJob({
      id: newId(),
      type: 'rolling_cluster_update',
      target: { kind: 'cluster', id: cluster.id },
      params: {},
      createdBy: { kind: 'user', id: 'bench', name: 'bench' },
      createdAt: now,
      scheduleAt: now,
      details: {},
      requiresApproval: false,
    });
    entered.clear();
    await stack.startJob(job.id, { kind: 'user', id: 'bench' });
    // CPU each process used over the rollout: how busy the two cores were while the hosts' overhead was measured.
    const procs = { orchestrator: process.pid, dynalite: dynamo?.pid, agent: agentPid, lab: childLab?.pid };
    const ownCpuMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    const cpuNow = () =>
      Object.fromEntries(
        Object.entries(procs).map(([name, pid]) => [
          name,
          pid === process.pid ? ownCpuMs() : processCpuMs(pid),
        ]),
      );
    const cpu0 = cpuNow();
    const probe = await startRoundTripProbe({
      store: stack.store,
      jobId: job.id,
      sqsEndpoint: stack.config.sqsEndpoint,
      // About 100 samples of each over the rollout; more would load the event loop it measures.
      everyMs: 1000,
    });
    const done = await waitDone(stack, job.id);
    const cpu1 = cpuNow();
    const trips = await probe.stop();
    if (done.status !== 'completed')
      throw new Error(`the rolling update ${done.status}: ${done.error?.slice(0, 500)}`);
    const makespanMs = Date.parse(done.completedAt!) - Date.parse(done.startedAt!);
    const k = Number(done.details.k);
    const batches = Number(done.details.batches);

    const cmds = (
      await stack.store.listRecordsByParent<RelayCommandRecord>(RELAY_COMMAND_TYPE, job.id, { limit: 1000 })
    ).items.map((r) => r.data);
    const byHost = new Map<string, Record<string, number>>();
    for (const c of cmds) {
      if (!c.kind || c.durationMs === undefined || c.target?.type !== 'idrac') continue;
      const h = byHost.get(c.target.id) ?? {};
      // The verify read comes after the reboot; the preflight read before: keep the last of each kind.
      h[c.kind] = c.durationMs;
      byHost.set(c.target.id, h);
    }
    const phase = (kind: string) => [...byHost.values()].map((h) => h[kind] ?? 0);
    const outOfService = [...byHost.values()].map(
      (h) =>
        (h['host.enter-maintenance'] ?? 0) +
        (h['host.apply-and-reboot'] ?? 0) +
        (h['host.exit-maintenance'] ?? 0),
    );
    const shortestOut = Math.min(...outOfService);
    const lowerBoundMs = Math.ceil(HOSTS / k) * shortestOut;
    // Seed: per host, sequentially: SCP, upload+stage inside maintenance, enter, apply+reboot, verify, exit.
    const perHostSeedMs =
      median(phase('scp.export')) +
      median(phase('firmware.stage')) +
      median(phase('host.enter-maintenance')) +
      median(phase('host.apply-and-reboot')) +
      median(phase('inventory.idrac')) +
      median(phase('host.exit-maintenance'));
    const seedMs = HOSTS * perHostSeedMs;
    // Orchestration overhead per host: the time a host's update (its step, from host-begin to host-done) spends
    // outside device commands — JobOps, dispatch, queues, result handling. It is what RackOps adds to each slot.
    const steps = await stack.store.listSteps(job.id);
    const slotOverhead = steps
      .filter((st) => /^host:[^:]+$/.test(st.key) && st.status === 'completed' && st.completedAt)
      .map((st) => {
        const from = Date.parse(st.startedAt ?? st.completedAt!);
        const to = Date.parse(st.completedAt!);
        const device = cmds
          .filter(
            (c) =>
              c.target?.id === st.hostId &&
              c.sentAt &&
              Date.parse(c.sentAt) >= from &&
              Date.parse(c.completedAt ?? c.sentAt) <= to,
          )
          .reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
        return to - from - device;
      });
    const overheadPerHostMs = slotOverhead.reduce((a, b) => a + b, 0) / Math.max(1, slotOverhead.length);
    const split = overheadSplit(steps, cmds);
    const storeRtMs = median(trips.storeMs);
    // Share of one core each process kept busy over the makespan (the machine has availableParallelism()).
    const busy = Object.fromEntries(
      Object.keys(procs)
        .filter((name) => cpu0[name] !== undefined && cpu1[name] !== undefined)
        .map((name) => [name, Math.round(((cpu1[name]! - cpu0[name]!) / makespanMs) * 100) / 100]),
    );
    const queueMs = median(trips.queueMs);
    const hopFloorMs = HOST_HOPS.store * storeRtMs + HOST_HOPS.queue * queueMs;
    const applyNow = await stack.store.listJobItems(job.id, 'apply-now');
    const t = transitionsPerHost(applyNow.length);
    const measuredTotal = [...entered.values()].reduce((a, b) => a + b, 0);
    const measuredPerHost = Math.round((measuredTotal / HOSTS) * 10) / 10;
    const byState = [...entered]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    // Where the makespan goes: before the first host leaves service, the hosts' phase, and the tail.
    const startMs = Date.parse(done.startedAt!);
    const times = (kind: string, field: 'sentAt' | 'completedAt') =>
      cmds.filter((c) => c.kind === kind && c[field]).map((c) => Date.parse(c[field]!) - startMs);
    const firstOut = Math.min(...times('host.enter-maintenance', 'sentAt'));
    const lastBack = Math.max(...times('host.exit-maintenance', 'completedAt'));
    const phases = {
      preflight_s: sec(Math.min(...times('cluster.ha-relax', 'sentAt'))),
      // Staging before the first host leaves service (later firmware.stage commands are the in-service updates).
      stage_s: sec(
        Math.max(...times('firmware.stage', 'completedAt').filter((t) => t <= firstOut)) -
          Math.min(...times('firmware.stage', 'sentAt')),
      ),
      before_first_host_out_s: sec(firstOut),
      hosts_phase_s: sec(lastBack - firstOut),
      tail_s: sec(makespanMs - lastBack),
    };
    // The devices' own floor for this run: the steps before the first host leaves service and after the last is
    // back as they ran, the hosts' phase as the slowest slot's device time with nothing between its commands.
    const { slowestChainMs } = slotChains(cmds, k);
    const deviceFloorMs = firstOut + slowestChainMs + (makespanMs - lastBack);

    const rows: [string, string][] = [
      [
        'topology',
        single
          ? 'one process (npm start)'
          : 'orchestrator | DynamoDB (dynalite) | relay agent | lab: four processes',
      ],
      ['hosts (N)', String(HOSTS)],
      ['time scale', `1/${Math.round(1 / TIME_SCALE)}`],
      ['k (most hosts out at once: demand + HA failover level 1)', String(k)],
      ['batches', String(batches)],
      ['RackOps makespan (measured)', `${sec(makespanMs)} s`],
      [
        'shortest out-of-service time (enter + apply/reboot/reconnect + exit, measured)',
        `${sec(shortestOut)} s`,
      ],
      [
        'lower bound ⌈N/k⌉ × shortest out-of-service',
        `${Math.ceil(HOSTS / k)} × ${sec(shortestOut)} = ${sec(lowerBoundMs)} s`,
      ],
      [
        'seed way (one host at a time, upload inside maintenance; from measured phase medians)',
        `${HOSTS} × ${sec(perHostSeedMs)} = ${sec(seedMs)} s`,
      ],
      ['ratio to lower bound', (makespanMs / lowerBoundMs).toFixed(2)],
      [
        "  slowest slot: its hosts' device time out of service (device variance / lower bound)",
        `${sec(slowestChainMs)} s (${(slowestChainMs / lowerBoundMs).toFixed(3)})`,
      ],
      [
        "  ratio to the run's device floor (before first out + slowest slot + tail, as measured)",
        (makespanMs / deviceFloorMs).toFixed(3),
      ],
      ['speedup vs seed way', (seedMs / makespanMs).toFixed(2)],
      [
        'orchestration overhead per host (time in its update not spent in device commands, mean)',
        `${Math.round(overheadPerHostMs)} ms`,
      ],
      [
        '  of which (means, ms)',
        `begin → first command sent ${split.begin_ms} (first wave ${split.begin_first_wave_ms}, later ${split.begin_later_waves_ms}), sent → agent starts it ${split.pickup_ms} (× ${split.commands}), result → next sent ${split.handoff_ms} (× ${split.commands - 1}), last result → host done ${split.done_ms}`,
      ],
      [
        "  its floor: round trips in a host's window × their median while the rollout ran",
        `${HOST_HOPS.store} Store × ${storeRtMs.toFixed(1)} + ${HOST_HOPS.queue} queue × ${queueMs.toFixed(1)} = ${Math.round(hopFloorMs)} ms (overhead ${(overheadPerHostMs / hopFloorMs).toFixed(2)} × floor; ${trips.storeMs.length} samples)`,
      ],
      [
        '  CPU while it ran (cores kept busy, by process)',
        `${Object.entries(busy)
          .map(([n, v]) => `${n} ${v}`)
          .join(', ')} of ${availableParallelism()}`,
      ],
      ['state transitions per host (happy path of the definition)', `${t.perHost} (${t.detail})`],
      ['state transitions per host (entered, counted by the engine)', `${measuredPerHost}`],
      ['  states entered (all hosts)', byState],
      ['  time to HA relax (preflight)', `${phases.preflight_s} s`],
      ['  staging (first upload to last staged)', `${phases.stage_s} s`],
      ['  start to first host out of service', `${phases.before_first_host_out_s} s`],
      ['  first host out to last host back', `${phases.hosts_phase_s} s`],
      ['  last host back to job completed', `${phases.tail_s} s`],
    ];
    if (args.includes('--timeline')) {
      printTimeline(cmds, startMs);
      const at = (iso?: string) => (iso ? sec(Date.parse(iso) - startMs) : '?');
      for (const st of steps.filter((x) => !x.hostId))
        console.log(`step ${st.key}: ${st.status} ${at(st.startedAt)}→${at(st.completedAt)}`);
    }
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [a, b] of rows) console.log(`${a.padEnd(w)}  ${b}`);
    console.log(
      JSON.stringify({
        bench: 'rolling-update',
        hosts: HOSTS,
        makespan_s: sec(makespanMs),
        seed_way_s: sec(seedMs),
        lower_bound_s: sec(lowerBoundMs),
        ratio_to_lower_bound: Math.round((makespanMs / lowerBoundMs) * 100) / 100,
        slowest_slot_device_s: sec(slowestChainMs),
        device_variance_ratio: Math.round((slowestChainMs / lowerBoundMs) * 1000) / 1000,
        ratio_to_device_floor: Math.round((makespanMs / deviceFloorMs) * 1000) / 1000,
        speedup_vs_seed: Math.round((seedMs / makespanMs) * 100) / 100,
        overhead_per_host_ms: Math.round(overheadPerHostMs),
        overhead_split_ms: split,
        store_rt_ms: Math.round(storeRtMs * 10) / 10,
        queue_transit_ms: Math.round(queueMs * 10) / 10,
        overhead_floor_ms: Math.round(hopFloorMs),
        overhead_to_floor: Math.round((overheadPerHostMs / hopFloorMs) * 100) / 100,
        cores_busy: busy,
        transitions_per_host: t.perHost,
        transitions_per_host_measured: measuredPerHost,
      }),
    );
  } finally {
    for (const stop of stops) await stop();
  }
}

/** `--timeline`: every command of the job, by target, as `kind start→end` in seconds from the job's start. */
function printTimeline(cmds: RelayCommandRecord[], startMs: number): void {
  const at = (iso?: string) => (iso ? sec(Date.parse(iso) - startMs).toFixed(1) : '?');
  const byTarget = new Map<string, RelayCommandRecord[]>();
  for (const c of cmds) {
    const key = c.target ? `${c.target.type}:${c.target.id}` : '?';
    byTarget.set(key, [...(byTarget.get(key) ?? []), c]);
  }
  for (const [target, list] of [...byTarget].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => Date.parse(a.sentAt ?? '') - Date.parse(b.sentAt ?? ''));
    console.log(
      `${target}: ${list.map((c) => `${c.kind} ${at(c.sentAt)}→${at(c.completedAt)}`).join(' | ')}`,
    );
  }
}

async function waitDone(stack: Awaited<ReturnType<typeof startLocalStack>>, jobId: string) {
  const end = Date.now() + 1_800_000;
  while (Date.now() < end) {
    const j = await stack.store.getJob(jobId);
    if (j && ['completed', 'failed', 'cancelled'].includes(j.status)) return j;
    // The job's own timestamps give the makespan: polling faster would only add reads to the loop being measured.
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`job ${jobId} did not finish`);
}
