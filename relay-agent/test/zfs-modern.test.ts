import { randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandKind } from '@rackops/core/relay/commands';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZfsPreflightHandler } from '../src/commands/zfs-preflight.handler';
import {
  createZfsFeaturesHandler,
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from '../src/commands/zfs-replication.handlers';
import type { createZfsAppliances } from '../src/zfs/zfs-appliance';
import { zfsArgv } from '../src/zfs/zfs-argv';
import { cutAfter, expectCutEnds, snapshotTags, zfsContexts, sitePairOn } from './helpers/zfs-rig';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS modern-path tests skipped: ${unavailable}`);

type Page = Record<string, unknown>;
const context = zfsContexts('2026-12-06T09:00:00Z');
const ctxFor = (kind: CommandKind, onProgress: (page: Page | undefined) => void = () => {}) =>
  context(kind, { progress: async (_text, extra) => onProgress(extra?.page as Page | undefined) });

describe('a resume token from a device is checked before it reaches an argv', () => {
  it.each(['1-abc-10-ff; rm -rf /', '1-abc-10-$(reboot)', '1-abc-10-ff 00', '-t', '1-ABC-10-ff'])(
    'refuses %j',
    (token) => {
      expect(() => zfsArgv({ verb: 'send-resume', token })).toThrow(/resume token/);
    },
  );
  it('passes a token of the OpenZFS shape', () => {
    expect(zfsArgv({ verb: 'send-resume', token: '1-e604ea4bf-e0-789c63' })).toEqual([
      'zfs',
      'send',
      '-t',
      '1-e604ea4bf-e0-789c63',
    ]);
  });
});

/**
 * The modern path on a simulated OpenZFS 2.x appliance (the lab's zfs shim over its own sshd, on real zfs-fuse
 * pools): receives with `-s`, and a transfer cut mid-stream is finished by the next run from the target's
 * resume token — only the rest of the stream crosses the link.
 */
describe.skipIf(unavailable !== undefined)('modern appliance: resumable receive over SSH', () => {
  let sites: ZfsSites;
  let src: string;
  let dst: string;
  let stateDir: string;
  let appliances: ReturnType<typeof createZfsAppliances>;

  beforeAll(async () => {
    sites = await startZfsSites({ modern: true });
    const modern = sites.modern;
    if (!modern) throw new Error('no modern site');
    stateDir = modern.stateDir;
    ({ appliances, src, dst } = await sitePairOn(sites, modern.sshd));
  }, ZFS_SITES_WAIT_MS + 120_000); // may wait for another file's ZFS sites to close (machine-lock.ts)
  afterAll(async () => {
    await sites?.close();
  }, 150_000);

  const replicate = (snapshot: string, onProgress?: (page: Page | undefined) => void) =>
    createZfsReplicateHandler(appliances, { progressEveryMs: 0 })(
      { group: 'prod-vms', sourceDataset: src, targetAppliance: 'zfs-b', targetDataset: dst, snapshot },
      ctxFor('zfs.replicate', onProgress),
    );
  const preflight = (snapshot: string) =>
    createZfsPreflightHandler(appliances)(
      { group: 'prod-vms', sourceDataset: src, targetAppliance: 'zfs-b', targetDataset: dst, snapshot },
      ctxFor('zfs.preflight'),
    );
  const take = async () => {
    await new Promise((r) => setTimeout(r, 1100)); // snapshot names carry the second
    return (
      await createZfsSnapshotHandler(appliances)({ group: 'prod-vms', dataset: src }, ctxFor('zfs.snapshot'))
    ).snapshot;
  };
  const onTarget = () => snapshotTags(sites, dst);
  const stateFiles = async () => (await readdir(stateDir)).sort();
  const stateOf = (ext: string) => join(stateDir, `${dst.replaceAll('/', '%')}.${ext}`);

  it('feature detection: resumable receive and the `send -nvP` estimate', async () => {
    const f = await createZfsFeaturesHandler(appliances)({}, ctxFor('zfs.features'));
    expect(f).toMatchObject({
      resumableReceive: true,
      sizeEstimate: true,
      sendProgress: true,
      estimateMethod: 'send -nvP',
    });
    expect(f.version).toMatch(/^zfs-2\./);
  });

  let first = '';
  let second = '';
  const big = randomBytes(64 * 1024 * 1024);

  it('a transfer cut mid-stream is finished by the next run from the resume token, not resent', async () => {
    await writeFile(join(sites.mountpoint(src), 'small.bin'), randomBytes(256 * 1024));
    first = await take();
    expect(await replicate(first)).toMatchObject({ kind: 'full' });
    expect(await stateFiles()).toEqual([]);

    await writeFile(join(sites.mountpoint(src), 'big-flat.vmdk'), big);
    second = await take();
    const link = cutAfter(20 * 1024 * 1024, () => sites.modern?.sshd.dropSessions());
    await expectCutEnds(replicate(second, link.onProgress), link);
    await sites.settle(60_000);
    expect(await onTarget()).toEqual([first]);
    // The target kept what reached it, and says where to go on; the preflight sees it.
    expect((await preflight(second)).target).toMatchObject({ resumePending: true });
    expect(await stateFiles()).toEqual([
      `${dst.replaceAll('/', '%')}.partial`,
      `${dst.replaceAll('/', '%')}.token`,
    ]);

    const again = await replicate(second);
    expect(again).toMatchObject({ kind: 'incremental', from: first, snapshot: second });
    const resumed = again.resumedBytes ?? 0;
    expect(again.bytes).toBe(resumed);
    console.info(
      `modern path: increment ~${big.length} bytes, cut after ${link.at()} sent; the next run resumed with ${resumed} bytes`,
    );
    // Only the rest crossed the link: less than the increment by about what had arrived before the cut.
    expect(resumed).toBeGreaterThan(0);
    expect(resumed).toBeLessThan(big.length - 8 * 1024 * 1024);
    expect(await onTarget()).toEqual([first, second]);
    expect(await stateFiles()).toEqual([]);
    expect((await preflight(second)).target.resumePending).toBeUndefined();
    expect(Buffer.compare(await sites.readFresh(dst, 'big-flat.vmdk'), big)).toBe(0);

    // A replay sends nothing.
    expect(await replicate(second)).toMatchObject({ kind: 'up-to-date', bytes: 0 });
  }, 300_000);

  it('the next scheduled run (a newer snapshot) finishes the cut transfer first, then sends its increment', async () => {
    const before = await onTarget();
    const _base = before.at(-1) ?? '';
    const grown = randomBytes(40 * 1024 * 1024);
    await writeFile(join(sites.mountpoint(src), 'grown-flat.vmdk'), grown);
    const cutSnap = await take();
    const link = cutAfter(12 * 1024 * 1024, () => sites.modern?.sshd.dropSessions());
    await expectCutEnds(replicate(cutSnap, link.onProgress), link);
    await sites.settle(60_000);
    await writeFile(join(sites.mountpoint(src), 'late.bin'), randomBytes(512 * 1024));
    const next = await take();
    const out = await replicate(next);
    expect(out).toMatchObject({ kind: 'incremental', from: cutSnap, snapshot: next });
    const resumed = out.resumedBytes ?? 0;
    expect(resumed).toBeGreaterThan(0);
    expect(resumed).toBeLessThan(grown.length - 4 * 1024 * 1024);
    // The rest of the cut stream plus the new increment (~512 KiB), and nothing of the cut stream twice.
    expect(out.bytes - resumed).toBeGreaterThan(512 * 1024);
    expect(out.bytes - resumed).toBeLessThan(4 * 1024 * 1024);
    expect(await onTarget()).toEqual([...before, cutSnap, next]);
    expect(await stateFiles()).toEqual([]);
    expect(Buffer.compare(await sites.readFresh(dst, 'grown-flat.vmdk'), grown)).toBe(0);
  }, 300_000);

  it('a token with shell syntax from the target is refused before anything is sent', async () => {
    const third = await take();
    await writeFile(stateOf('partial'), Buffer.alloc(4096));
    await writeFile(stateOf('token'), '1-abc-10-ff; rm -rf / $(reboot)\n');
    try {
      const had = await onTarget();
      await expect(preflight(third)).rejects.toMatchObject({ code: 'device_response_invalid' });
      const r = replicate(third);
      await expect(r).rejects.toMatchObject({ code: 'device_response_invalid' });
      await expect(r).rejects.toThrow(/not a resume token .*nothing was sent/);
      expect(await sites.transfers()).toEqual([]);
      expect(await onTarget()).toEqual(had);
    } finally {
      await rm(stateOf('token'), { force: true });
      await rm(stateOf('partial'), { force: true });
    }
  }, 120_000);

  it('a token the source refuses is dropped (receive -A) and the increment is sent again', async () => {
    await writeFile(join(sites.mountpoint(src), 'more.bin'), randomBytes(1024 * 1024));
    const fourth = await take();
    await writeFile(stateOf('partial'), Buffer.alloc(4096));
    await writeFile(stateOf('token'), '1-abc-10-ffff\n');
    const out = await replicate(fourth);
    expect(out).toMatchObject({ kind: 'incremental', snapshot: fourth });
    expect(out.resumeAborted).toMatch(/cannot resume send: resume token is corrupt/);
    expect(out.resumedBytes).toBeUndefined();
    expect(out.bytes).toBeGreaterThan(1024 * 1024);
    expect(await stateFiles()).toEqual([]);
    expect((await onTarget()).at(-1)).toBe(fourth);
  }, 120_000);

  it('a first full send cut mid-stream is resumed too: the dataset arrives whole, nothing sent twice', async () => {
    const src2 = `${sites.sourcePool}/vmstore2`;
    const dst2 = `${sites.targetPool}/vmstore2`;
    await sites.zfs('create', src2);
    const data = randomBytes(48 * 1024 * 1024);
    await writeFile(join(sites.mountpoint(src2), 'disk-flat.vmdk'), data);
    await new Promise((r) => setTimeout(r, 1100));
    const snap = (
      await createZfsSnapshotHandler(appliances)({ group: 'prod-vms', dataset: src2 }, ctxFor('zfs.snapshot'))
    ).snapshot;
    const run = (onProgress?: (page: Page | undefined) => void) =>
      createZfsReplicateHandler(appliances, { progressEveryMs: 0 })(
        {
          group: 'prod-vms',
          sourceDataset: src2,
          targetAppliance: 'zfs-b',
          targetDataset: dst2,
          snapshot: snap,
        },
        ctxFor('zfs.replicate', onProgress),
      );
    const link = cutAfter(16 * 1024 * 1024, () => sites.modern?.sshd.dropSessions());
    await expectCutEnds(run(link.onProgress), link);
    await sites.settle(60_000);
    expect(await readdir(stateDir)).toContain(`${dst2.replaceAll('/', '%')}.token`);

    const again = await run();
    expect(again).toMatchObject({ kind: 'full', snapshot: snap });
    console.info(
      `modern path, full send: ~${data.length} bytes, cut after ${link.at()} sent; resumed with ${again.resumedBytes} bytes`,
    );
    expect(again.resumedBytes).toBe(again.bytes);
    expect(again.bytes).toBeLessThan(data.length - 4 * 1024 * 1024);
    expect(Buffer.compare(await sites.readFresh(dst2, 'disk-flat.vmdk'), data)).toBe(0);
    expect(await run()).toMatchObject({ kind: 'up-to-date', bytes: 0 });
  }, 300_000);
});
