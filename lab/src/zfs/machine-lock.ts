import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A lock every process on this machine sees: zfs-fuse is one daemon on one fixed socket, so two test files
 * (vitest runs them in parallel workers) that each start, use and stop it would stop it under each other,
 * or start it twice. Whoever holds the lock owns the daemon until it releases; a holder that died (its pid
 * is gone) loses the lock.
 */
export interface MachineLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireMachineLock(
  name: string,
  opts: { waitMs?: number; pollMs?: number; path?: string } = {},
): Promise<MachineLock> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`lock name must be [a-z0-9-]+: ${name}`);
  const path = opts.path ?? join(tmpdir(), `rackops-${name}.lock`);
  const deadline = Date.now() + (opts.waitMs ?? 300_000);
  let holder = '';
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return { release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    holder = (await readFile(path, 'utf8').catch(() => '')).trim();
    const pid = Number(holder);
    // An empty file is a holder between open and write: wait for it rather than steal the lock.
    if (holder !== '' && Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`${path} is still held by pid ${holder || '?'} after ${opts.waitMs ?? 300_000} ms`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
