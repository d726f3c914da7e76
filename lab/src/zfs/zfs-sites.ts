import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LoopbackSshd, startLoopbackSshd } from './loopback-sshd';
import { startZfsFuse, type ZfsFuseDaemon, zfsFuseUnavailable } from './zfs-fuse-daemon';
import { startSimulatedSites } from './sim-appliance/standalone-sites';
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
  /** Real zfs-fuse pools, or the stand-alone simulated appliance (sim-appliance/standalone-sites.ts). */
  readonly appliance: 'zfs-fuse' | 'simulated';
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

/**
 * Why the ZFS tests cannot run at all, or undefined. Without zfs-fuse they still run, on the simulated
 * appliance; only the loopback sshd (every appliance is reached over SSH) is a must.
 */
export function zfsSitesUnavailable(): string | undefined {
  if (!existsSync('/usr/sbin/sshd')) return 'openssh-server is not installed';
  return undefined;
}

/** RACKOPS_ZFS=sim: the simulated appliance even where zfs-fuse could run (to test it, or to go faster). */
export const zfsSimForced = (): boolean => process.env.RACKOPS_ZFS === 'sim';

type SitesOptions = { poolMiB?: number; lockWaitMs?: number; modern?: boolean };

/**
 * The two sites on real zfs-fuse where it can start; else, saying so in the test output, on the stand-alone
 * simulated appliance, which speaks the same CLI over SSH.
 */
export async function startZfsSites(opts: SitesOptions = {}): Promise<ZfsSites> {
  if (zfsSimForced()) {
    console.warn('RACKOPS_ZFS=sim: using the simulated appliance');
    return startSimulatedSites(opts);
  }
  const why = zfsFuseUnavailable();
  if (why === undefined) {
    try {
      return await startZfsFuseSites(opts);
    } catch (err) {
      if (!(err instanceof ZfsFuseStartError)) throw err;
      console.warn(`zfs-fuse unavailable (${err.message}): using the simulated appliance`);
      return startSimulatedSites(opts);
    }
  }
  console.warn(`zfs-fuse unavailable (${why}): using the simulated appliance`);
  return startSimulatedSites(opts);
}

class ZfsFuseStartError extends Error {}

async function startZfsFuseSites(opts: SitesOptions): Promise<ZfsSites> {
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
    daemon = await startZfsFuse().catch((err: Error) => {
      throw new ZfsFuseStartError(err.message);
    });
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
    appliance: 'zfs-fuse',
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
