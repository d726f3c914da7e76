import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZFS_SIM } from '../src/zfs/sim-appliance/standalone-sites';

const run = promisify(execFile);

/**
 * The stand-alone simulated appliance's CLI run directly (no sshd): the answers a real ZFS gives where the
 * agent relies on them — refusals that keep data, the base check of an increment, holds, bookmarks.
 */
describe('stand-alone simulated ZFS CLI', () => {
  let root: string;
  const env = (flavor = 'modern') => ({ ...process.env, RACKOPS_SIM_ROOT: root, RACKOPS_SIM_FLAVOR: flavor });
  const zfs = async (...args: string[]) =>
    (await run(process.execPath, [ZFS_SIM, ...args], { env: env() })).stdout;
  /** Exit code and stderr of a command expected to fail. */
  const refused = (...args: string[]) =>
    run(process.execPath, [ZFS_SIM, ...args], { env: env() }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
  /** `zfs send … | zfs receive …`, through this process. */
  const pipe = async (send: string[], recv: string[]) => {
    const { stdout } = await run(process.execPath, [ZFS_SIM, 'send', ...send], {
      env: env(),
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    return new Promise<{ code: number; stderr: string }>((resolve) => {
      const p = execFile(process.execPath, [ZFS_SIM, 'receive', ...recv], { env: env() }, (err, _o, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stderr }),
      );
      p.stdin?.end(stdout);
    });
  };
  const file = (ds: string, name: string) => join(root, 'mnt', ds, name);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rackops-zfs-sim-cli-'));
    for (const pool of ['src', 'dst'])
      await run(process.execPath, [ZFS_SIM, 'create', pool, '64M'], {
        env: { ...env(), RACKOPS_SIM_CMD: 'zpool' },
      });
    await zfs('create', 'src/a');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('answers as zfs-fuse 0.7 or as OpenZFS 2.1 by flavour', async () => {
    const legacy = await run(process.execPath, [ZFS_SIM, 'version'], { env: env('legacy') }).catch(
      (e: { stderr: string }) => e,
    );
    expect(legacy.stderr).toMatch(/unrecognized command 'version'/);
    expect(legacy.stderr).toMatch(/^\tsend \[-RDp\]/m);
    expect(await zfs('version')).toMatch(/^zfs-2\.1/);
    const modern = await refused('help');
    expect(modern.stderr).toMatch(/^\treceive \[-vnsFhu\]/m);
    expect(modern.stderr).toMatch(/^\tbookmark /m);
  });

  it('an increment lands only on its base; a snapshot with a hold or a clone is not destroyed', async () => {
    await writeFile(file('src/a', 'f'), 'one\n');
    await zfs('snapshot', 'src/a@s1');
    expect(await pipe(['src/a@s1'], ['dst/a'])).toEqual({ code: 0, stderr: '' });
    await writeFile(file('src/a', 'f'), 'two\n');
    await zfs('snapshot', 'src/a@s2');
    await writeFile(file('src/a', 'f'), 'three\n');
    await zfs('snapshot', 'src/a@s3');
    const skipped = await pipe(['-i', '@s2', 'src/a@s3'], ['-F', 'dst/a']);
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toMatch(/most recent snapshot of dst\/a does not\nmatch incremental source/);
    expect(await pipe(['-i', '@s1', 'src/a@s3'], ['-F', 'dst/a'])).toMatchObject({ code: 0 });
    expect(await readFile(file('dst/a', 'f'), 'utf8')).toBe('three\n');
    const guids = (ds: string) =>
      zfs('get', '-Hp', '-r', '-d', '1', '-o', 'name,value', 'guid', ds).then((o) =>
        o
          .split('\n')
          .filter((l) => l.includes('@'))
          .map((l) => `${l.split('@')[1]}`),
      );
    expect((await guids('dst/a')).map((l) => l.split('\t')[0])).toEqual(['s1', 's3']);
    expect((await guids('dst/a')).at(-1)).toBe((await guids('src/a')).at(-1));

    await zfs('hold', 'keep', 'src/a@s1');
    expect((await refused('destroy', 'src/a@s1')).stderr).toMatch(/dataset is busy/);
    await zfs('release', 'keep', 'src/a@s1');
    await zfs('clone', 'src/a@s1', 'src/c');
    expect(await readFile(file('src/c', 'f'), 'utf8')).toBe('one\n');
    expect((await zfs('get', '-H', '-o', 'value', 'origin', 'src/c')).trim()).toBe('src/a@s1');
    expect((await refused('destroy', 'src/a@s1')).stderr).toMatch(/dependent clones/);
    await zfs('destroy', '-f', 'src/c');
    await zfs('destroy', 'src/a@s1');
  });

  it('rollback -r drops newer snapshots and restores the data; a bookmark is an incremental base', async () => {
    await writeFile(file('src/a', 'f'), 'scratch\n');
    expect((await refused('rollback', 'src/a@s2')).stderr).toMatch(/more recent snapshots/);
    await zfs('rollback', '-r', 'src/a@s2');
    expect(await readFile(file('src/a', 'f'), 'utf8')).toBe('two\n');
    expect((await zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', 'src/a')).trim()).toBe('src/a@s2');

    await zfs('bookmark', 'src/a@s2', 'src/a#b2');
    await writeFile(file('src/a', 'f'), 'four\n');
    await zfs('snapshot', 'src/a@s4');
    const dry = await zfs('send', '-nvP', '-i', '#b2', 'src/a@s4');
    expect(dry).toMatch(/^incremental\tsrc\/a#b2\tsrc\/a@s4\t\d+\nsize\t\d+\n$/);
  });
});
