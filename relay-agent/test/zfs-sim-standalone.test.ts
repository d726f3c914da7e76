import { randomBytes } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandKind } from '@rackops/core/relay/commands';
import { startSimulatedSites } from '@rackops/lab/zfs/sim-appliance/standalone-sites';
import { type ZfsSites, zfsSitesUnavailable } from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createZfsFeaturesHandler,
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from '../src/commands/zfs-replication.handlers';
import type { ZfsAppliances } from '../src/zfs/zfs-appliance';
import { cutAfter, expectCutEnds, snapshotTags, zfsContexts, sitePairOn } from './helpers/zfs-rig';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS stand-alone sim test skipped: ${unavailable}`);

type Page = Record<string, unknown>;
const context = zfsContexts('2026-12-07T01:00:00Z');
const ctxFor = (kind: CommandKind, onProgress: (page: Page | undefined) => void = () => {}) =>
  context(kind, { progress: async (_text, extra) => onProgress(extra?.page as Page | undefined) });

/**
 * The agent's ZFS path end to end on the stand-alone simulated appliance (no zfs-fuse, no FUSE): always run,
 * so a machine without /dev/fuse still exercises the SSH transport, the allow-listed argv, the send/receive
 * pipe through the agent and the resume-token path. The zfs-*.test.ts files run the same on real zfs-fuse.
 */
describe.skipIf(unavailable !== undefined)('stand-alone simulated ZFS appliance over SSH', () => {
  let sites: ZfsSites;
  let appliances: ZfsAppliances;
  let src: string;
  let dst: string;

  beforeAll(async () => {
    sites = await startSimulatedSites({ modern: true, poolMiB: 128 });
    const modern = sites.modern;
    if (!modern) throw new Error('no modern site');
    ({ appliances, src, dst } = await sitePairOn(sites, modern.sshd));
  }, 60_000);
  afterAll(async () => {
    await sites?.close();
  }, 30_000);

  const take = async () => {
    await new Promise((r) => setTimeout(r, 1100)); // snapshot names carry the second
    return (
      await createZfsSnapshotHandler(appliances)({ group: 'prod-vms', dataset: src }, ctxFor('zfs.snapshot'))
    ).snapshot;
  };
  const replicate = (snapshot: string, onProgress?: (page: Page | undefined) => void) =>
    createZfsReplicateHandler(appliances, { progressEveryMs: 0 })(
      { group: 'prod-vms', sourceDataset: src, targetAppliance: 'zfs-b', targetDataset: dst, snapshot },
      ctxFor('zfs.replicate', onProgress),
    );
  const onTarget = () => snapshotTags(sites, dst);

  it('answers feature detection as a modern OpenZFS', async () => {
    const f = await createZfsFeaturesHandler(appliances)({}, ctxFor('zfs.features'));
    expect(f).toMatchObject({
      holds: true,
      bookmarks: true,
      resumableReceive: true,
      sizeEstimate: true,
      sendProgress: true,
      estimateMethod: 'send -nvP',
    });
    expect(f.version).toMatch(/^zfs-2\./);
  });

  it('full, then incremental (changed blocks only), then a cut transfer resumed from its token', async () => {
    const disk = join(sites.mountpoint(src), 'vm1', 'vm1-flat.vmdk');
    await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
    const data = randomBytes(4 * 1024 * 1024);
    await writeFile(disk, data);
    const first = await take();
    const full = await replicate(first);
    expect(full).toMatchObject({ kind: 'full', snapshot: first });
    expect(full.bytes).toBeGreaterThan(data.length);
    expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1-flat.vmdk'), data)).toBe(0);

    // A guest writing 64 KiB in place: the increment carries that record, not the disk.
    const patch = randomBytes(64 * 1024);
    const changed = Buffer.from(data);
    patch.copy(changed, 1024 * 1024);
    const fh = await open(disk, 'r+');
    await fh.write(patch, 0, patch.length, 1024 * 1024);
    await fh.close();
    const second = await take();
    const incr = await replicate(second);
    expect(incr).toMatchObject({ kind: 'incremental', from: first });
    expect(incr.bytes).toBeLessThan(full.bytes / 4);
    expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1-flat.vmdk'), changed)).toBe(0);

    const big = randomBytes(24 * 1024 * 1024);
    await writeFile(join(sites.mountpoint(src), 'vm1', 'vm1_1-flat.vmdk'), big);
    const third = await take();
    const link = cutAfter(8 * 1024 * 1024, () => sites.modern?.sshd.dropSessions());
    await expectCutEnds(replicate(third, link.onProgress), link);
    await sites.settle(10_000);
    expect(await onTarget()).toEqual([first, second]);

    const again = await replicate(third);
    expect(again).toMatchObject({ kind: 'incremental', from: second, snapshot: third });
    console.info(
      `stand-alone sim: increment ~${big.length} bytes, cut after ${link.at()}; resumed with ${again.bytes}`,
    );
    expect(again.resumedBytes).toBe(again.bytes);
    expect(again.bytes).toBeLessThan(big.length - 2 * 1024 * 1024);
    expect(await onTarget()).toEqual([first, second, third]);
    expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1_1-flat.vmdk'), big)).toBe(0);
    expect(await replicate(third)).toMatchObject({ kind: 'up-to-date', bytes: 0 });
  }, 60_000);
});
