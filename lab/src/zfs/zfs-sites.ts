import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LoopbackSshd, startLoopbackSshd } from './loopback-sshd';
import { startZfsFuse, type ZfsFuseDaemon } from './zfs-fuse-daemon';
import { prepareSimulatedModernCli } from './sim-appliance/modern-shim';
import { acquireMachineLock, type MachineLock } from './machine-lock';

const run = promisify(execFile);

/**
 * Two ZFS "appliances" on one machine: a source pool and a target pool on sparse files, served by the one
 * zfs-fuse daemon, both reachable through one loopback sshd (as two appliances would be through theirs).
 * One ZfsSites at a time per machine: a second `startZfsSites` (another test file, another worker) waits until
 * the first is closed, since each starts and stops the one daemon.
 */
export interface ZfsSites {
  readonly dir: string;
  readonly sshd: LoopbackSshd;
  readonly sourcePool: string;
  readonly targetPool: string;
  /**
   * With `modern: true`: a second sshd on the same pools whose `zfs` answers like OpenZFS 2.x (resumable
   * receive, `send -nvP`): a simulated modern appliance (sim-appliance/modern-shim.ts).
   */
  readonly modern?: { sshd: LoopbackSshd; stateDir: string };
  /** Where a dataset is mounted on this machine (to write and read its files). */
  mountpoint(dataset: string): string;
  /** `zfs …` run locally, for setting up and checking; never what the agent runs. */
  zfs(...args: string[]): Promise<string>;
  /**
   * Unmount and mount a dataset: after a receive, the kernel may still hold a FUSE page cache of the old
   * contents, and a check must read what ZFS holds.
   */
  remount(dataset: string): Promise<void>;
  /**
   * A file's bytes as ZFS holds them now, read by a short-lived process after a remount: a reader in this
   * process would keep the FUSE mount busy until it exits, and the pool could not be destroyed.
   */
  readFresh(dataset: string, ...path: string[]): Promise<Buffer>;
  /** The pids of `zfs send`/`zfs receive` processes on these pools (an agent's, or one orphaned by a dropped session). */
  transfers(): Promise<number[]>;
  /**
   * Waits until no `zfs send`/`zfs receive` runs on these pools. A session dropped mid-transfer leaves its
   * processes to notice the broken pipe on their own; on a loaded machine zfs-fuse can take long, and a next
   * receive started meanwhile waits on the dataset the orphan still holds. Any left after `ms` are killed.
   */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long a second user waits for the first: the ZFS test files run one after another, a few minutes in all.
 * A test's `beforeAll` allows this plus its own setup.
 */
export const ZFS_SITES_WAIT_MS = 900_000;

export async function startZfsSites(
  opts: { poolMiB?: number; lockWaitMs?: number; modern?: boolean } = {},
): Promise<ZfsSites> {
  const lock: MachineLock = await acquireMachineLock('zfs-fuse', {
    waitMs: opts.lockWaitMs ?? ZFS_SITES_WAIT_MS,
  });
  const dir = await mkdtemp(join(tmpdir(), 'rackops-zfs-'));
  const tag = `${process.pid}${Math.floor(Math.random() * 1e4)}`;
  const sourcePool = `rksrc${tag}`;
  const targetPool = `rkdst${tag}`;
  const created: string[] = [];
  let daemon: ZfsFuseDaemon | undefined;
  let sshd: LoopbackSshd | undefined;
  let modern: { sshd: LoopbackSshd; stateDir: string } | undefined;
  const cleanup = () => releaseAll().finally(() => lock.release());
  const releaseAll = async () => {
    const problems: string[] = [];
    for (const pool of created.reverse()) {
      // zfs-fuse can keep a pool busy for a while after a receive on a loaded machine.
      let lastError = '';
      for (let attempt = 0; attempt < 90; attempt++) {
        lastError = await run('zpool', ['destroy', '-f', pool]).then(
          () => '',
          (err: Error) => err.message,
        );
        if (lastError === '') break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (lastError !== '') problems.push(`${pool}: ${lastError}`);
    }
    await daemon?.release();
    await sshd?.close();
    await modern?.sshd.close();
    await rm(dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`ZFS test pools not destroyed: ${problems.join('; ')}`);
  };
  try {
    daemon = await startZfsFuse();
    for (const pool of [sourcePool, targetPool]) {
      const file = join(dir, `${pool}.img`);
      await run('truncate', ['-s', `${opts.poolMiB ?? 256}M`, file]).catch(() => truncate(file, 0));
      // cachefile=none: a pool left behind by a killed test must not come back with the next daemon.
      await run('zpool', ['create', '-o', 'cachefile=none', '-m', join(dir, 'mnt', pool), pool, file]);
      created.push(pool);
    }
    sshd = await startLoopbackSshd(join(dir, 'ssh'));
    if (opts.modern) {
      const cli = await prepareSimulatedModernCli(join(dir, 'modern'));
      const modernSshd = await startLoopbackSshd(join(dir, 'modern', 'ssh'), {
        forceCommand: cli.forceCommand,
      });
      modern = { sshd: modernSshd, stateDir: cli.stateDir };
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  const mnt = join(dir, 'mnt');
  const transfers = async (): Promise<number[]> => {
    const { stdout } = await run('pgrep', [
      '-f',
      `zfs(-shim\\.mjs)? (send|receive) .*(${sourcePool}|${targetPool})`,
    ]).catch(() => ({ stdout: '' }));
    return stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  };
  return {
    dir,
    sshd,
    ...(modern ? { modern } : {}),
    sourcePool,
    targetPool,
    mountpoint: (dataset) => join(mnt, dataset),
    zfs: async (...args) => (await run('zfs', args, { maxBuffer: 16 * 1024 * 1024 })).stdout,
    remount: async (dataset) => {
      await run('zfs', ['umount', dataset]);
      await run('zfs', ['mount', dataset]);
    },
    readFresh: async (dataset, ...path) => {
      await run('zfs', ['umount', dataset]);
      await run('zfs', ['mount', dataset]);
      const { stdout } = await run('cat', [join(mnt, dataset, ...path)], {
        encoding: 'buffer',
        maxBuffer: 1024 * 1024 * 1024,
      });
      return stdout;
    },
    transfers,
    settle: async (ms = 30_000) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if ((await transfers()).length === 0) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      for (const pid of await transfers()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    },
    close: cleanup,
  };
}
