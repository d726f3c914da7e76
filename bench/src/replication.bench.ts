import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { snapshotTag } from '@rackops/core/replication/snapshot-name';
import { zfsFuseUnavailable } from '@rackops/lab/zfs/zfs-fuse-daemon';
import { type ZfsSites, startZfsSites } from '@rackops/lab/zfs/zfs-sites';
import type { CommandContext } from '@rackops/relay-agent/commands/command-context';
import { createZfsReplicateHandler } from '@rackops/relay-agent/commands/zfs-replication.handlers';
import { createZfsAppliances } from '@rackops/relay-agent/zfs/zfs-appliance';
import { pino } from 'pino';

/**
 * `npm run bench -- replication [--mib 1024]`: a dataset of MIB MiB of incompressible data, sent in full and
 * then as a 1 % increment, by the relay agent's zfs.replicate handler (ssh2 sessions, `zfs send | zfs receive`
 * piped through this process) and by a plain `ssh … zfs send | ssh … zfs receive` pipeline of the system's
 * OpenSSH client, on the same pools in the same run. The SQS hop of a real command (milliseconds) is left
 * out: what is measured is the data path. Full sends run plain first and increments agent first, so a warm
 * cache does not always favour the same side.
 */
const MiB = 1024 * 1024;

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Writes `mib` MiB of random data, or overwrites every `stride`-th MiB of it (the increment). */
async function fill(file: string, mib: number, stride = 1): Promise<number> {
  const fh = await open(file, stride === 1 ? 'w' : 'r+');
  let written = 0;
  try {
    for (let i = 0; i < mib; i += stride) {
      await fh.write(randomBytes(MiB), 0, MiB, i * MiB);
      written += MiB;
    }
  } finally {
    await fh.close();
  }
  return written;
}

function plainPipe(sites: ZfsSites, send: string[], recv: string[]): Promise<number> {
  const ssh = [
    'ssh',
    '-T',
    '-o BatchMode=yes',
    '-o StrictHostKeyChecking=no',
    '-o UserKnownHostsFile=/dev/null',
    '-o LogLevel=ERROR',
    `-i ${sites.sshd.clientKeyPath}`,
    `-p ${sites.sshd.port}`,
    `${sites.sshd.username}@${sites.sshd.host}`,
  ].join(' ');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Every word is ours (pool names, tags from the clock): this shell line is the baseline, not product code.
    const child = spawn(
      'bash',
      ['-c', `set -o pipefail; ${ssh} ${send.join(' ')} | ${ssh} ${recv.join(' ')}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve((performance.now() - started) / 1000)
        : reject(new Error(`plain pipe: ${code} ${err}`)),
    );
  });
}

export async function run(args: string[]): Promise<void> {
  const mib = arg(args, 'mib', 1024);
  const unavailable = zfsFuseUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ bench: 'replication', skipped: unavailable }));
    return;
  }
  const sites = await startZfsSites({ poolMiB: 2 * mib + 512 });
  try {
    const src = `${sites.sourcePool}/vmstore`;
    const viaAgent = `${sites.targetPool}/agent`;
    const viaPlain = `${sites.targetPool}/plain`;
    await sites.zfs('create', src);
    const file = join(sites.mountpoint(src), 'disk-flat.vmdk');
    await fill(file, mib);

    const site = {
      host: sites.sshd.host,
      port: sites.sshd.port,
      username: sites.sshd.username,
      privateKeyPath: sites.sshd.clientKeyPath,
      hostKeyFingerprint: sites.sshd.hostKeyFingerprint,
    };
    const replicate = createZfsReplicateHandler(createZfsAppliances({ 'nas-a': site, 'nas-b': site }));
    const memo = new Map<string, unknown>();
    const ctx = {
      commandId: 'bench',
      kind: 'zfs.replicate',
      target: { type: 'zfs', id: 'nas-a' },
      jobId: undefined,
      signal: new AbortController().signal,
      log: pino({ level: 'silent' }),
      attempt: 1,
      pollIntervalMs: 1000,
      progress: async () => {},
      memo: { get: (k: string) => memo.get(k), set: (k: string, v: unknown) => void memo.set(k, v) },
      sleep: async () => {},
      now: () => new Date(),
    } as unknown as CommandContext;
    const viaAgentRun = async (tag: string) => {
      const started = performance.now();
      const out = (await replicate(
        {
          group: 'bench',
          sourceDataset: src,
          targetAppliance: 'nas-b',
          targetDataset: viaAgent,
          snapshot: tag,
        },
        ctx,
      )) as { bytes: number; kind: string };
      return { seconds: (performance.now() - started) / 1000, bytes: out.bytes, kind: out.kind };
    };

    const s1 = snapshotTag('bench', new Date());
    await sites.zfs('snapshot', `${src}@${s1}`);
    const plainFull = await plainPipe(sites, ['zfs', 'send', `${src}@${s1}`], ['zfs', 'receive', viaPlain]);
    const agentFull = await viaAgentRun(s1);

    const changed = await fill(file, mib, 100);
    const s2 = snapshotTag('bench', new Date(Date.now() + 1000));
    await sites.zfs('snapshot', `${src}@${s2}`);
    const agentIncr = await viaAgentRun(s2);
    const plainIncr = await plainPipe(
      sites,
      ['zfs', 'send', '-i', `${src}@${s1}`, `${src}@${s2}`],
      ['zfs', 'receive', '-F', viaPlain],
    );

    const fullMiB = agentFull.bytes / MiB;
    const full_mib_s = fullMiB / agentFull.seconds;
    const plain_full_mib_s = fullMiB / plainFull;
    const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
    console.log('path         full s   full MiB/s   incr s');
    console.log(
      `agent (ssh2) ${agentFull.seconds.toFixed(1).padStart(6)} ${full_mib_s.toFixed(1).padStart(12)} ${agentIncr.seconds.toFixed(2).padStart(8)}`,
    );
    console.log(
      `plain ssh    ${plainFull.toFixed(1).padStart(6)} ${plain_full_mib_s.toFixed(1).padStart(12)} ${plainIncr.toFixed(2).padStart(8)}`,
    );
    console.log(
      JSON.stringify({
        bench: 'replication',
        full_mib_s: round(full_mib_s, 1),
        incr_s: round(agentIncr.seconds),
        ratio_to_plain_pipe: round(full_mib_s / plain_full_mib_s),
        incr_ratio_to_plain_pipe: round(plainIncr / agentIncr.seconds),
        plain_full_mib_s: round(plain_full_mib_s, 1),
        plain_incr_s: round(plainIncr),
        dataset_mib: mib,
        changed_mib: changed / MiB,
        full_bytes: agentFull.bytes,
        incr_bytes: agentIncr.bytes,
        incr_kind: agentIncr.kind,
      }),
    );
  } finally {
    await sites.close();
  }
}
