import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientChannel } from 'ssh2';
import { RackOpsError } from '@rackops/core/util/errors';
import { RemoteCommandError } from './ssh-link';
import type { ZfsSession } from './zfs-appliance';

function exitOf(ch: ClientChannel): { done: Promise<number | null>; stderr: () => string } {
  let stderr = '';
  ch.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString('utf8');
  });
  let code: number | null = null;
  ch.on('exit', (c: number | null) => {
    code = c;
  });
  const done = new Promise<number | null>((resolve) => ch.on('close', () => resolve(code)));
  return { done, stderr: () => stderr };
}

/**
 * Settles (rejects) once `signal` aborts: the transfer's end when it is cut. Node 24's `pipeline` settles only when
 * every stream has ended or closed, and an ssh2 channel closes only after its readable side ended: once the pipe is
 * torn down, the send channel's unread data keeps it open, and the pipeline waited for ever (stall timer included).
 */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; stop: () => void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, stop: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * A cut or abandoned channel: its unread data dropped, so ssh2 can end it and emit `close` (and the exit status,
 * when the appliance still sends one); closed, so the appliance's side ends too.
 */
function release(ch: ClientChannel): void {
  ch.unpipe();
  ch.resume();
  ch.close();
}

/**
 * No byte for this long and the transfer is cut: a receive stuck on the target (a dataset still held by an
 * earlier, orphaned receive) or a send stuck on the source would otherwise hold the command, and the group's next
 * sync behind it, forever. ZFS streams continuously; two minutes of silence is not a slow link.
 */
export const TRANSFER_STALL_MS = 120_000;
/** After the stream ends, how long both sides get to report their exit status. */
export const TRANSFER_EXIT_WAIT_MS = 60_000;

/**
 * `zfs send` on the source piped into `zfs receive` on the target through this process: the appliances
 * need no trust in each other, and every byte is counted for progress.
 */
export async function pipeSendReceive(input: {
  source: ZfsSession;
  target: ZfsSession;
  sourceDataset: string;
  targetDataset: string;
  to: string;
  from?: string;
  /** Receive with `-s` (the target has resumable receive): a cut stream leaves a resume token. */
  resumable?: boolean;
  /**
   * Finish an interrupted receive instead: `zfs send -t <token>` into `zfs receive -s`; `to`/`from` are then
   * ignored, and `targetExists` says whether the receive is onto an existing dataset (-F) or a first one.
   */
  resume?: { token: string; targetExists: boolean };
  signal?: AbortSignal;
  onBytes?: (total: number) => void;
  /** Longest silence between two chunks. @default TRANSFER_STALL_MS */
  stallMs?: number;
  /** Longest wait for the first chunk (a send plans before it streams). @default `stallMs` */
  firstByteMs?: number;
  /** @default TRANSFER_EXIT_WAIT_MS */
  exitWaitMs?: number;
}): Promise<number> {
  const stallMs = input.stallMs ?? TRANSFER_STALL_MS;
  const send = await input.source.open(
    input.resume
      ? { verb: 'send-resume', token: input.resume.token }
      : {
          verb: 'send',
          dataset: input.sourceDataset,
          tag: input.to,
          ...(input.from !== undefined ? { from: input.from } : {}),
        },
  );
  const recv = await input.target
    .open({
      verb: 'receive',
      dataset: input.targetDataset,
      incremental: input.resume ? input.resume.targetExists : input.from !== undefined,
      resumable: input.resumable === true || input.resume !== undefined,
    })
    .catch((err: unknown) => {
      send.channel.close();
      throw err;
    });
  // Nothing comes on receive's stdout, but the channel only closes once that side has been read to its end.
  recv.channel.resume();
  const sendExit = exitOf(send.channel);
  const recvExit = exitOf(recv.channel);
  let total = 0;
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = (ms = stallMs) => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(), ms);
  };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      armStall();
      input.onBytes?.(total);
      cb(null, chunk);
    },
  });
  // A receive whose channel closes before it took the whole stream is a cut link. Node's pipeline does not
  // always see that (Node 24 left it waiting on the send side for good): end it here, not after the stall.
  const linkLost = new AbortController();
  recv.channel.once('close', () => {
    if (!recv.channel.writableFinished) linkLost.abort();
  });
  const signals = [stall.signal, linkLost.signal, ...(input.signal ? [input.signal] : [])];
  const signal = AbortSignal.any(signals);
  armStall(input.firstByteMs ?? stallMs);
  const cut = whenAborted(signal);
  try {
    await Promise.race([pipeline(send.channel, counter, recv.channel, { signal }), cut.promise]);
  } catch (err) {
    release(send.channel);
    release(recv.channel);
    // A side that failed on its own (the receive refused the stream, the send lost its snapshot) says why on
    // stderr: that is the operator's reason, not the stream's "premature close".
    const codes = await Promise.race([
      Promise.all([sendExit.done, recvExit.done]),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000).unref()),
    ]);
    if (codes && codes[1] !== null && codes[1] !== 0 && !stall.signal.aborted)
      throw new RemoteCommandError(recv.argv, codes[1], recvExit.stderr());
    if (codes && codes[0] !== null && codes[0] !== 0 && !stall.signal.aborted)
      throw new RemoteCommandError(send.argv, codes[0], sendExit.stderr());
    if (stall.signal.aborted && !input.signal?.aborted)
      throw new RackOpsError(
        'transfer_stalled',
        `no data moved for ${Math.round((total === 0 ? (input.firstByteMs ?? stallMs) : stallMs) / 1000)} s after ${total} bytes (${send.argv.join(' ')} → ${recv.argv.join(' ')}); the transfer was cut and the target keeps its last common snapshot`,
      );
    if (linkLost.signal.aborted && !input.signal?.aborted)
      throw new RackOpsError(
        'transfer_cut',
        `the target's session closed after ${total} bytes, before the stream ended (${recv.argv.join(' ')}); the target keeps its last common snapshot${input.resumable || input.resume ? ' and a resume token' : ''}`,
      );
    throw err;
  } finally {
    clearTimeout(stallTimer);
    cut.stop();
  }
  let exitTimer: NodeJS.Timeout | undefined;
  const exits = await Promise.race([
    Promise.all([sendExit.done, recvExit.done]),
    new Promise<undefined>((resolve) => {
      exitTimer = setTimeout(() => resolve(undefined), input.exitWaitMs ?? TRANSFER_EXIT_WAIT_MS);
    }),
  ]).finally(() => clearTimeout(exitTimer));
  if (exits === undefined) {
    send.channel.close();
    recv.channel.close();
    throw new RackOpsError(
      'transfer_unfinished',
      `the stream ended after ${total} bytes but zfs send/receive reported no exit status within ${Math.round((input.exitWaitMs ?? TRANSFER_EXIT_WAIT_MS) / 1000)} s; the receive is treated as failed`,
    );
  }
  const [sendCode, recvCode] = exits;
  if (sendCode !== 0) throw new RemoteCommandError(send.argv, sendCode, sendExit.stderr());
  if (recvCode !== 0) throw new RemoteCommandError(recv.argv, recvCode, recvExit.stderr());
  return total;
}
