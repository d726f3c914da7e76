import { RackOpsError } from '@rackops/core/util/errors';
import type { DirectHopInput } from './direct-hop';
import { lineSplitter, parseSendProgressLine } from './send-progress';
import { RemoteCommandError } from './ssh-link';
import type { ZfsSession } from './zfs-appliance';

/** The dataset's `used` in bytes, or undefined when it does not exist yet (before a first full send). */
async function usedBytes(s: ZfsSession, dataset: string): Promise<number | undefined> {
  const exists = await s.snapshots(dataset);
  if (exists === undefined) return undefined;
  const n = Number((await s.run({ verb: 'used', dataset })).trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Bytes so far of a direct transfer, and where the count comes from. */
export interface DirectProgress {
  bytes: number;
  seconds: number;
  /** `send`: the sender's own count (`zfs send -v -P`); `target-used`: the target's growth, polled. */
  from: 'send' | 'target-used';
  /** The stream's size as the sender estimated it (`size` of `-v -P`, what `-n -v -P` prints), when known. */
  estimate?: number;
}

/** How often the target's `used` is read while a sender that cannot count runs. */
export const DIRECT_POLL_MS = 3000;

/** The dataset whose `used` grows while a receive runs: the parent holds the receive's hidden clone too. */
const parentOf = (dataset: string) =>
  dataset.includes('/') ? dataset.slice(0, dataset.lastIndexOf('/')) : dataset;

/**
 * `zfs send … | ssh <target> zfs receive …` run by the source appliance itself: the data never crosses the
 * agent, so the agent cannot count it on the way. Progress in bytes comes from the sender where it can
 * count (`sendProgress`: `zfs send -v -P`, OpenZFS) and otherwise (zfs-fuse) from the growth of the
 * target's `used` — of the dataset's parent, which holds a receive in flight — read every `pollMs` over the
 * agent's own session to the target. The bytes reported after are how much the target's dataset grew
 * (`used`, snapshots included: an increment's size within metadata, on zfs-fuse and OpenZFS alike). Success
 * is not taken from the pipeline's exit status alone (a shell without pipefail reports only the receive):
 * the target must then hold the snapshot with the source's guid.
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
  /** The source's `zfs send` prints `-v -P` progress (its feature detection). */
  sendProgress?: boolean;
  signal?: AbortSignal;
  /** @default DIRECT_POLL_MS */
  pollMs?: number;
  onProgress?: (p: DirectProgress) => void;
}): Promise<number> {
  const before = input.from === undefined ? 0 : ((await usedBytes(input.target, input.targetDataset)) ?? 0);
  const parent = parentOf(input.targetDataset);
  const readUsed = async () => {
    const n = Number((await input.target.run({ verb: 'used', dataset: parent })).trim());
    return Number.isFinite(n) ? n : undefined;
  };
  const parentBefore = input.sendProgress ? undefined : await readUsed().catch(() => undefined);
  const started = Date.now();
  const { channel, argv } = await input.source.openDirect({
    send: {
      verb: 'send',
      dataset: input.sourceDataset,
      tag: input.to,
      ...(input.from !== undefined ? { from: input.from } : {}),
      ...(input.sendProgress ? { progress: true } : {}),
    },
    receive: { verb: 'receive', dataset: input.targetDataset, incremental: input.from !== undefined },
    hop: input.hop,
  });
  channel.resume();
  let stderr = '';
  let estimate: number | undefined;
  const seconds = () => (Date.now() - started) / 1000;
  // Progress never goes back: the target's `used` may shrink a little as a receive completes (its spool or
  // `%recv` clone becomes the dataset), and an operator reads a smaller count as a transfer gone wrong.
  let reported = 0;
  const report = (bytes: number, from: DirectProgress['from']) => {
    reported = Math.max(reported, bytes);
    input.onProgress?.({
      bytes: reported,
      seconds: seconds(),
      from,
      ...(estimate !== undefined ? { estimate } : {}),
    });
  };
  let lastSendReport = 0;
  channel.stderr.on(
    'data',
    lineSplitter((line) => {
      // The sender's progress lines are counted, not kept: the error text is what is left.
      const p = input.sendProgress ? parseSendProgressLine(line) : undefined;
      if (p === undefined) {
        if (stderr.length < 8192) stderr += `${line}\n`;
        return;
      }
      if (p.size !== undefined) estimate = p.size;
      if (p.sent !== undefined && Date.now() - lastSendReport >= 1000) {
        lastSendReport = Date.now();
        report(p.sent, 'send');
      }
    }),
  );
  let code: number | null = null;
  channel.on('exit', (c: number | null) => {
    code = c;
  });
  // zfs-fuse's send says nothing while it streams: the target's growth is the count there.
  let polling = false;
  const poll = setInterval(() => {
    if (input.sendProgress || parentBefore === undefined || polling) return;
    polling = true;
    readUsed()
      .then((now) => {
        if (now !== undefined) report(Math.max(0, now - parentBefore), 'target-used');
      })
      .catch(() => {})
      .finally(() => {
        polling = false;
      });
  }, input.pollMs ?? DIRECT_POLL_MS);
  const abort = () => channel.close();
  input.signal?.addEventListener('abort', abort, { once: true });
  try {
    await new Promise<void>((resolve) => channel.on('close', () => resolve()));
  } finally {
    clearInterval(poll);
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
  // A fast stream can end between two polls of the target: the count it ended with is said once more.
  if (!input.sendProgress) report(Math.max(0, after - before), 'target-used');
  return Math.max(0, after - before);
}
