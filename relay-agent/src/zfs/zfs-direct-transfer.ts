import { RackOpsError } from '@rackops/core/util/errors';
import type { DirectHopInput } from './direct-hop';
import { RemoteCommandError } from './ssh-link';
import type { ZfsSession } from './zfs-appliance';

/** The dataset's `used` in bytes, or undefined when it does not exist yet (before a first full send). */
async function usedBytes(s: ZfsSession, dataset: string): Promise<number | undefined> {
  const exists = await s.snapshots(dataset);
  if (exists === undefined) return undefined;
  const n = Number((await s.run({ verb: 'used', dataset })).trim());
  return Number.isFinite(n) ? n : undefined;
}

/**
 * `zfs send … | ssh <target> zfs receive …` run by the source appliance itself: the data never crosses the
 * agent, so no byte is counted on the way. Progress while it runs is its duration; the bytes reported
 * after are how much the target's dataset grew (`used`, snapshots included: an increment's size within
 * metadata, on zfs-fuse and OpenZFS alike). Success is not taken from the pipeline's exit status alone (a
 * shell without pipefail reports only the receive): the target must then hold the snapshot with the
 * source's guid.
 */
export async function directSendReceive(input: {
  source: ZfsSession;
  target: ZfsSession;
  sourceDataset: string;
  targetDataset: string;
  to: string;
  from?: string;
  hop: DirectHopInput;
  /** The source's guid of `to`: what the target must hold after. */
  guid: string;
  signal?: AbortSignal;
  onTick?: (seconds: number) => void;
}): Promise<number> {
  const before = input.from === undefined ? 0 : ((await usedBytes(input.target, input.targetDataset)) ?? 0);
  const started = Date.now();
  const { channel, argv } = await input.source.openDirect({
    send: {
      verb: 'send',
      dataset: input.sourceDataset,
      tag: input.to,
      ...(input.from !== undefined ? { from: input.from } : {}),
    },
    receive: { verb: 'receive', dataset: input.targetDataset, incremental: input.from !== undefined },
    hop: input.hop,
  });
  channel.resume();
  let stderr = '';
  channel.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString('utf8');
  });
  let code: number | null = null;
  channel.on('exit', (c: number | null) => {
    code = c;
  });
  const tick = setInterval(() => input.onTick?.((Date.now() - started) / 1000), 2000);
  const abort = () => channel.close();
  input.signal?.addEventListener('abort', abort, { once: true });
  try {
    await new Promise<void>((resolve) => channel.on('close', () => resolve()));
  } finally {
    clearInterval(tick);
    input.signal?.removeEventListener('abort', abort);
  }
  if (input.signal?.aborted) throw new RackOpsError('aborted', 'the direct transfer was cancelled');
  if (code !== 0) throw new RemoteCommandError(argv, code, stderr);
  const landed = (await input.target.snapshots(input.targetDataset))?.find((s) => s.tag === input.to);
  if (landed?.guid !== input.guid)
    throw new RackOpsError(
      'transfer_unverified',
      `the direct transfer exited 0 but ${input.targetDataset}@${input.to} is not on the target${stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : ''}`,
    );
  const after = (await usedBytes(input.target, input.targetDataset)) ?? 0;
  return Math.max(0, after - before);
}
