import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type LoopbackSshd, startLoopbackSshd } from '../loopback-sshd';
import type { ZfsSites } from '../zfs-sites';

const run = promisify(execFile);

/** The stand-alone appliance's CLI, run by node as is (no build step). */
export const ZFS_SIM = fileURLToPath(new URL('./standalone/zfs-sim.mjs', import.meta.url));

type Flavor = 'legacy' | 'modern';

/**
 * A bin directory whose `zfs` and `zpool` are the stand-alone sim in one flavour, and the sshd ForceCommand
 * that runs a client's command with it first on PATH (as the appliance's own shell would).
 */
async function prepareCli(dir: string, root: string, stateDir: string, flavor: Flavor): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true, mode: 0o700 });
  const env = `RACKOPS_SIM_ROOT='${root}' RACKOPS_SHIM_STATE='${stateDir}' RACKOPS_SIM_FLAVOR=${flavor}`;
  await writeFile(join(bin, 'zfs'), `#!/bin/sh\n${env} exec '${process.execPath}' '${ZFS_SIM}' "$@"\n`);
  await writeFile(
    join(bin, 'zpool'),
    `#!/bin/sh\n${env} RACKOPS_SIM_CMD=zpool exec '${process.execPath}' '${ZFS_SIM}' "$@"\n`,
  );
  await chmod(join(bin, 'zfs'), 0o755);
  await chmod(join(bin, 'zpool'), 0o755);
  const forceCommand = join(dir, 'session.sh');
  await writeFile(
    forceCommand,
    `#!/bin/sh\nPATH='${bin}':/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`,
  );
  await chmod(forceCommand, 0o755);
  return forceCommand;
}

/**
 * The ZFS sites without zfs-fuse: two pools of the stand-alone simulated appliance (directories and a JSON
 * metadata file, standalone/sim-store.mjs) behind a loopback sshd that answers as zfs-fuse 0.7 does (the
 * agent's old path) and, with `modern`, a second sshd on the same pools that answers as OpenZFS 2.x.
 */
export async function startSimulatedSites(opts: { poolMiB?: number; modern?: boolean }): Promise<ZfsSites> {
  const dir = await mkdtemp(join(tmpdir(), 'rackops-zfs-sim-'));
  const root = join(dir, 'sim');
  const stateDir = join(dir, 'modern', 'state');
  const tag = `${process.pid}${Math.floor(Math.random() * 1e4)}`;
  const sourcePool = `rksrc${tag}`;
  const targetPool = `rkdst${tag}`;
  const env = {
    ...process.env,
    RACKOPS_SIM_ROOT: root,
    RACKOPS_SHIM_STATE: stateDir,
    RACKOPS_SIM_FLAVOR: 'modern',
  };
  const sim = async (args: string[], extra: Record<string, string> = {}) =>
    (
      await run(process.execPath, [ZFS_SIM, ...args], {
        env: { ...env, ...extra },
        maxBuffer: 16 * 1024 * 1024,
      })
    ).stdout;
  let sshd: LoopbackSshd | undefined;
  let modern: { sshd: LoopbackSshd; stateDir: string } | undefined;
  const close = async () => {
    // A transfer orphaned by a dropped session must not outlive its root.
    for (const pid of await transfers().catch(() => [])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await sshd?.close();
    await modern?.sshd.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    for (const pool of [sourcePool, targetPool])
      await sim(['create', pool, `${opts.poolMiB ?? 256}M`], { RACKOPS_SIM_CMD: 'zpool' });
    const legacyCli = await prepareCli(join(dir, 'legacy'), root, stateDir, 'legacy');
    // At `<dir>/ssh` as on zfs-fuse: a test adds a direct hop's key to its authorized_keys there.
    sshd = await startLoopbackSshd(join(dir, 'ssh'), { forceCommand: legacyCli });
    if (opts.modern) {
      const modernCli = await prepareCli(join(dir, 'modern'), root, stateDir, 'modern');
      modern = {
        sshd: await startLoopbackSshd(join(dir, 'modern', 'ssh'), { forceCommand: modernCli }),
        stateDir,
      };
    }
  } catch (err) {
    await close();
    throw err;
  }
  async function transfers(): Promise<number[]> {
    const { stdout } = await run('pgrep', [
      '-f',
      `zfs-sim\\.mjs (send|receive) .*(${sourcePool}|${targetPool})`,
    ]).catch(() => ({ stdout: '' }));
    return stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  }
  const mountpoint = (dataset: string) => join(root, 'mnt', dataset);
  return {
    appliance: 'simulated',
    dir,
    sshd,
    ...(modern ? { modern } : {}),
    sourcePool,
    targetPool,
    mountpoint,
    zfs: (...args) => sim(args),
    // Datasets are plain directories: no page cache of an older mount to drop.
    remount: async () => {},
    readFresh: (dataset, ...path) => readFile(join(mountpoint(dataset), ...path)),
    transfers,
    settle: async (ms = 30_000) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if ((await transfers()).length === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const pid of await transfers()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    },
    close,
  };
}
