import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireMachineLock } from '../src/zfs/machine-lock';

describe('machine-wide lock (one zfs-fuse user at a time)', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rackops-lock-'));
    path = join(dir, 'test.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a second holder waits until the first releases', async () => {
    const first = await acquireMachineLock('test', { path });
    let secondHeld = false;
    const second = acquireMachineLock('test', { path, pollMs: 20 }).then((l) => {
      secondHeld = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(secondHeld).toBe(false);
    await first.release();
    const l = await second;
    expect(secondHeld).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(String(process.pid));
    await l.release();
  });

  it('takes over a lock whose holder has died', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid ?? 0;
    await new Promise((r) => child.once('exit', r));
    await writeFile(path, String(pid));
    const l = await acquireMachineLock('test', { path, waitMs: 1000 });
    expect(await readFile(path, 'utf8')).toBe(String(process.pid));
    await l.release();
  });

  it('gives up with the holder named when the wait is over', async () => {
    const first = await acquireMachineLock('test', { path });
    await expect(acquireMachineLock('test', { path, waitMs: 100, pollMs: 20 })).rejects.toThrow(
      new RegExp(`held by pid ${process.pid}`),
    );
    await first.release();
  });
});
