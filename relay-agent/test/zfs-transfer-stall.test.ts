import { Duplex, PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import type { ZfsSession } from '../src/zfs/zfs-appliance';
import { collect } from '../src/zfs/ssh-link';
import { pipeSendReceive } from '../src/zfs/zfs-transfer';

/**
 * The stall and exit-status bounds are about stream timing, which a real appliance cannot be made to produce on
 * demand (zfs-fuse's daemon does the I/O, so stopping the zfs process does not stop the stream); these
 * channels stand in for ssh2's only: the transfer code under test is the real one. ssh2 emits `close` after
 * `exit`, not when the stream ends: `finish` plays both.
 */
function channel(
  stream = new PassThrough({ emitClose: false }),
): ClientChannel & { finish(code: number): void } {
  const ch = stream as unknown as ClientChannel & { finish(code: number): void };
  Object.assign(ch, {
    stderr: new PassThrough(),
    close: () => stream.destroy(),
    finish: (code: number) => {
      stream.emit('exit', code);
      stream.emit('close');
    },
  });
  return ch;
}

/**
 * A channel that behaves as ssh2's does where a cut is concerned: `destroy()` only ends and closes it (the stream
 * is not destroyed), `close` is emitted only once its readable side has ended, and a write past the peer's
 * window waits for a window adjust that a dead link never sends. `die()` is the connection lost under it.
 */
function ssh2LikeChannel(windowBytes = Number.POSITIVE_INFINITY) {
  let window = windowBytes;
  const ch = new Duplex({
    allowHalfOpen: true,
    emitClose: false,
    read() {},
    write(chunk: Buffer, _enc, cb) {
      window -= chunk.length;
      if (window >= 0) cb(); // past the window the callback never comes, as on a link that stopped answering
    },
  }) as Duplex & { stderr: PassThrough; close(): void; die(): void };
  const emitCloseAfterEnd = () => {
    if (ch.readableEnded) ch.emit('close');
    else ch.once('end', () => ch.emit('close'));
  };
  Object.assign(ch, {
    stderr: new PassThrough(),
    close: () => {},
    destroy: () => {
      ch.end();
      return ch;
    },
    die: () => {
      ch.push(null);
      ch.stderr.push(null);
      emitCloseAfterEnd();
    },
  });
  return ch;
}

function session(ch: ClientChannel, verb: string): ZfsSession {
  return {
    run: async () => '',
    open: async () => ({ channel: ch, argv: ['zfs', verb] }),
    openDirect: async () => ({ channel: ch, argv: ['zfs', verb] }),
    snapshots: async () => [],
    close: () => {},
  };
}

/** The transfer from `send` into `recv`, with the bounds under test. */
const transfer = (
  send: ClientChannel,
  recv: ClientChannel,
  bounds: { stallMs?: number; firstByteMs?: number; exitWaitMs?: number } = {},
) =>
  pipeSendReceive({
    source: session(send, 'send'),
    target: session(recv, 'receive'),
    sourceDataset: 'a/vm',
    targetDataset: 'b/vm',
    to: 's1',
    ...bounds,
  });

describe('a ZFS transfer that stops moving', () => {
  it('is cut after the stall time with transfer_stalled, naming the bytes that moved', async () => {
    const send = channel();
    const received: Buffer[] = [];
    const recv = channel();
    recv.on('data', (chunk: Buffer) => received.push(chunk));
    send.write(Buffer.alloc(1000));
    const started = Date.now();
    await expect(transfer(send, recv, { stallMs: 300 })).rejects.toMatchObject({
      code: 'transfer_stalled',
      message: expect.stringMatching(/after 1000 bytes/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Buffer.concat(received).length).toBe(1000);
  });

  it('waits longer for the first byte than between bytes', async () => {
    const send = channel();
    const recv = channel();
    setTimeout(() => {
      send.end(Buffer.alloc(10));
      setTimeout(() => {
        send.finish(0);
        recv.finish(0);
      }, 20);
    }, 400);
    const bytes = await transfer(send, recv, { stallMs: 100, firstByteMs: 2000 });
    expect(bytes).toBe(10);
  });

  it('a stream that ended without exit statuses is a failed receive (transfer_unfinished)', async () => {
    const send = channel();
    const recv = channel();
    send.end(Buffer.alloc(10));
    await expect(transfer(send, recv, { exitWaitMs: 200 })).rejects.toMatchObject({
      code: 'transfer_unfinished',
    });
  });

  it('a receive that refused the stream is reported with its own stderr', async () => {
    const send = channel();
    const recv = channel();
    send.end(Buffer.alloc(10));
    setTimeout(() => {
      (recv.stderr as PassThrough).write('cannot receive: destination has been modified\n');
      send.finish(0);
      recv.finish(1);
    }, 20);
    await expect(transfer(send, recv)).rejects.toThrow(/destination has been modified/);
  });

  it('a target session that closes mid-stream ends the transfer at once (transfer_cut), not at the stall', async () => {
    const send = channel();
    const recv = channel();
    recv.resume();
    send.write(Buffer.alloc(1000));
    // The target's sshd session dies: its channel closes; the source keeps its stream open and silent.
    setTimeout(() => recv.emit('close'), 50);
    const started = Date.now();
    await expect(transfer(send, recv, { stallMs: 20_000 })).rejects.toMatchObject({
      code: 'transfer_cut',
      message: expect.stringMatching(/after 1000 bytes/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('a ZFS transfer whose SSH link is lost mid-stream (ssh2 channel semantics)', () => {
  it('ends at once with transfer_cut while the source still holds unread data, not at the stall nor never', async () => {
    // The target's window is exhausted after 256 KiB: its writes hang, the pipe pushes back, and the source's
    // channel keeps what it got unread. Then the link drops under both sessions.
    const send = ssh2LikeChannel();
    const recv = ssh2LikeChannel(256 * 1024);
    recv.resume();
    for (let i = 0; i < 64; i++) send.push(Buffer.alloc(64 * 1024));
    const ran = transfer(send as unknown as ClientChannel, recv as unknown as ClientChannel, {
      stallMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(send.readableLength, 'the source channel holds unread data').toBeGreaterThan(0);
    const started = Date.now();
    recv.die();
    send.die();
    await expect(ran).rejects.toMatchObject({ code: 'transfer_cut' });
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it("a stall with the source's data unread ends with transfer_stalled, not never", async () => {
    const send = ssh2LikeChannel();
    const recv = ssh2LikeChannel(256 * 1024);
    recv.resume();
    for (let i = 0; i < 64; i++) send.push(Buffer.alloc(64 * 1024));
    const started = Date.now();
    await expect(
      transfer(send as unknown as ClientChannel, recv as unknown as ClientChannel, { stallMs: 300 }),
    ).rejects.toMatchObject({ code: 'transfer_stalled' });
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});

describe('a ZFS command that never answers', () => {
  it('is closed after its timeout with remote_command_timeout', async () => {
    const ch = channel();
    let closed = false;
    ch.on('close', () => {
      closed = true;
    });
    ch.write('NAME\n');
    await expect(collect(ch, undefined, 150)).rejects.toMatchObject({ code: 'remote_command_timeout' });
    expect(closed || ch.destroyed).toBe(true);
  });

  it('answers as before when it finishes in time', async () => {
    const ch = channel();
    setTimeout(() => {
      ch.end('tank/vm\n');
      ch.finish(0);
    }, 20);
    await expect(collect(ch, undefined, 5_000)).resolves.toMatchObject({
      stdout: 'tank/vm\n',
      exitCode: null,
    });
  });
});
