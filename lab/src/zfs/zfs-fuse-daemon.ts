import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * zfs-fuse listens on one fixed socket (/var/run/zfs/zfs_socket), so a machine has one daemon and every
 * pool — the source site's and the target site's — is served by it. A daemon already running is reused
 * and left running; one started here is stopped by `release()` once no pool is left on it.
 */
export interface ZfsFuseDaemon {
  readonly startedHere: boolean;
  release(): Promise<void>;
}

/** Why real ZFS cannot run here, or undefined when it can. */
export function zfsFuseUnavailable(): string | undefined {
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse on this machine';
  if (!existsSync('/usr/sbin/zfs-fuse') || !existsSync('/usr/sbin/zpool')) {
    return 'zfs-fuse is not installed (apt-get install zfs-fuse openssh-server)';
  }
  if (!existsSync('/usr/sbin/sshd')) return 'openssh-server is not installed';
  return undefined;
}

async function answers(): Promise<boolean> {
  try {
    await run('zpool', ['list', '-H'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function zfsFuseRunning(): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const exe = await readlink(`/proc/${entry}/exe`).catch(() => '');
    if (exe === '/usr/sbin/zfs-fuse') return true;
  }
  return false;
}

export async function startZfsFuse(): Promise<ZfsFuseDaemon> {
  if (await answers()) return { startedHere: false, release: async () => {} };
  const child: ChildProcess = spawn('/usr/sbin/zfs-fuse', ['--no-daemon', '--no-kstat-mount'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal of `npm start -- --dr` must not kill it before the
    // stack has destroyed its pools (the stack stops it itself).
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!(await answers())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`zfs-fuse did not start: ${stderr.trim() || 'no answer on its socket'}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    startedHere: true,
    release: async () => {
      const { stdout } = await run('zpool', ['list', '-H', '-o', 'name']).catch(() => ({ stdout: '' }));
      if (stdout.trim() !== '') return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      // zfs-fuse forks a worker that finishes its shutdown after the process we started has exited; the next
      // start must not meet a dying daemon on the same socket.
      const until = Date.now() + 20_000;
      while (Date.now() < until && (await zfsFuseRunning())) {
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}
