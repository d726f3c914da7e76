import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientChannel } from 'ssh2';
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
  signal?: AbortSignal;
  onBytes?: (total: number) => void;
}): Promise<number> {
  const send = await input.source.open({
    verb: 'send',
    dataset: input.sourceDataset,
    tag: input.to,
    ...(input.from !== undefined ? { from: input.from } : {}),
  });
  const recv = await input.target.open({
    verb: 'receive',
    dataset: input.targetDataset,
    incremental: input.from !== undefined,
  });
  // Nothing comes on receive's stdout, but the channel only closes once that side has been read to its end.
  recv.channel.resume();
  const sendExit = exitOf(send.channel);
  const recvExit = exitOf(recv.channel);
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      input.onBytes?.(total);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(send.channel, counter, recv.channel, input.signal ? { signal: input.signal } : {});
  } catch (err) {
    send.channel.close();
    recv.channel.close();
    throw err;
  }
  const [sendCode, recvCode] = await Promise.all([sendExit.done, recvExit.done]);
  if (sendCode !== 0) throw new RemoteCommandError(send.argv, sendCode, sendExit.stderr());
  if (recvCode !== 0) throw new RemoteCommandError(recv.argv, recvCode, recvExit.stderr());
  return total;
}
