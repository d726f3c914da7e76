import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { messageGroupId, signEnvelope } from '@rackops/core/relay/envelope';
import { RelayMessage } from '@rackops/core/relay/result.schema';
import { generateLab } from '@rackops/lab/generator';
import { startLab } from '@rackops/lab/index';
import { startSqsEmulator } from '@rackops/local/sqs-emulator';
import { labDevices } from '@rackops/local/runtime/in-process-agent';

/**
 * `npm run bench -- relay-fanout [--idracs 200] [--concurrency 32]`: firmware inventory of N lab
 * iDRACs through the real agent process (`rackops-relay`, via tsx) at bounded concurrency, over the
 * SQS emulator. Peak RSS is the agent process's own high-water mark (VmHWM), not the lab's.
 */
const MAIN = fileURLToPath(new URL('../../relay-agent/src/main.ts', import.meta.url));
const KEY = 'bench-signing-key-0123456789abcdef-0123456789';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export async function run(args: string[]): Promise<void> {
  const idracs = arg(args, 'idracs', 200);
  const concurrency = arg(args, 'concurrency', 32);
  const lab = await startLab(generateLab({ hosts: idracs, vmsPerHost: 1 }), {
    timeScale: 1 / 60,
    services: { vcenter: false, ome: false, catalog: false, control: false },
  });
  const emu = await startSqsEmulator();
  const creds = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: creds });
  const dir = mkdtempSync(join(tmpdir(), 'relay-fanout-'));
  try {
    const commandsUrl =
      (
        await sqs.send(
          new CreateQueueCommand({ QueueName: 'fanout-commands.fifo', Attributes: { FifoQueue: 'true' } }),
        )
      ).QueueUrl ?? '';
    const resultsUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: 'fanout-results' }))).QueueUrl ?? '';
    const config = {
      agentId: 'bench',
      signingKey: KEY,
      queues: { commandsUrl, resultsUrl, region: 'us-east-1', endpoint: emu.endpoint, waitTimeSeconds: 1 },
      concurrency: { max: concurrency, perTarget: 1 },
      metrics: { port: null },
      logLevel: 'warn',
      ledgerPath: join(dir, 'ledger.sqlite'),
      // Only the iDRACs take part; at most two sockets to each, as this bench has always measured.
      devices: { idracs: labDevices(lab, { maxSockets: 2 }).idracs },
    };
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
    const agent = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configPath], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    const exited = new Promise<number | null>((r) => agent.once('exit', (c) => r(c)));

    const results = new Map<string, boolean>();
    const durations: number[] = [];
    let heartbeat = false;
    let collecting = true;
    const collector = async () => {
      while (collecting) {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: resultsUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        const msgs = r.Messages ?? [];
        for (const m of msgs) {
          const msg = RelayMessage.parse(JSON.parse(m.Body ?? '{}'));
          if (msg.type === 'agent-heartbeat') heartbeat = true;
          if (msg.type === 'result') {
            results.set(msg.commandId, msg.ok);
            durations.push(msg.durationMs);
          }
        }
        if (msgs.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: resultsUrl,
              Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        }
      }
    };
    const collectors = Array.from({ length: 4 }, collector);
    const until = async (what: string, ok: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`relay-fanout: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until('the agent heartbeat', () => heartbeat, 60_000);

    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const now = Date.now();
    const envs = lab.endpoints.idracs.map((e, i) =>
      signEnvelope(
        {
          v: 1,
          id: `fanout-${now}-${i}`,
          kind: 'inventory.idrac',
          target: { type: 'idrac', id: e.hostId },
          params: {},
          issuedAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 3_600_000).toISOString(),
        },
        KEY,
      ),
    );
    for (let i = 0; i < envs.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: commandsUrl,
          Entries: envs.slice(i, i + 10).map((env, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(env),
            MessageGroupId: messageGroupId(env.target),
            MessageDeduplicationId: env.id,
          })),
        }),
      );
    }
    await until('all results', () => results.size >= envs.length, 600_000);
    const wallS = (performance.now() - t0) / 1000;
    const status = readFileSync(`/proc/${agent.pid}/status`, 'utf8');
    const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // utime + stime (fields 14, 15) in clock ticks (100/s): how busy the agent process was.
    const stat = readFileSync(`/proc/${agent.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const agentCpuS = (Number(stat[11]) + Number(stat[12])) / 100;
    const labCpu = process.cpuUsage(cpu0);
    agent.kill('SIGTERM');
    const code = await exited;
    collecting = false;
    await Promise.all(collectors);

    const ok = [...results.values()].filter(Boolean).length;
    const peakRssMiB = Math.round((hwmKiB / 1024) * 10) / 10;
    const row = (k: string, v: string | number) => console.log(`${k.padEnd(22)} ${v}`);
    row('iDRACs', idracs);
    row('agent concurrency', concurrency);
    row('results ok / total', `${ok} / ${results.size}`);
    row('wall time (s)', wallS.toFixed(2));
    row('commands/s', (envs.length / wallS).toFixed(1));
    row('agent peak RSS (MiB)', peakRssMiB);
    const sorted = [...durations].sort((a, b) => a - b);
    row(
      'command p50 / p95 (ms)',
      `${sorted[Math.floor(sorted.length / 2)] ?? 0} / ${sorted[Math.floor(sorted.length * 0.95)] ?? 0}`,
    );
    row('mean in flight', (durations.reduce((a, b) => a + b, 0) / 1000 / wallS || 0).toFixed(1));
    row('agent CPU (s)', agentCpuS.toFixed(1));
    row('lab + bench CPU (s)', ((labCpu.user + labCpu.system) / 1e6).toFixed(1));
    row('agent exit (SIGTERM)', String(code));
    // Wall time on a shared machine is mostly run-queue wait; CPU seconds are the agent's real cost.
    row('host CPUs / load avg', `${cpus().length} / ${loadavg()[0]?.toFixed(1)}`);
    if (ok !== envs.length) throw new Error(`relay-fanout: only ${ok} of ${envs.length} commands succeeded`);
    console.log(
      JSON.stringify({
        bench: 'relay-fanout',
        idracs,
        wall_s: Math.round(wallS * 100) / 100,
        commands_per_s: Math.round((envs.length / wallS) * 10) / 10,
        peak_rss_mib: peakRssMiB,
      }),
    );
  } finally {
    sqs.destroy();
    await emu.close();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
