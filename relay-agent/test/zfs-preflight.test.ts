import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandKind } from '@rackops/core/relay/commands';
import { RackOpsError } from '@rackops/core/util/errors';
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
import { createZfsAppliances, type ZfsAppliances } from '../src/zfs/zfs-appliance';
import { endpointOf, zfsContexts } from './helpers/zfs-rig';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS preflight tests skipped: ${unavailable}`);

interface Progress {
  text: string;
  percent?: number;
  page?: Record<string, unknown>;
}

const context = zfsContexts('2026-12-06T12:00:00Z');
const ctxFor = (kind: CommandKind, appliance: string, progress: Progress[] = []) =>
  context(kind, { appliance, progress: async (text, extra) => void progress.push({ text, ...extra }) });

/**
 * zfs.preflight on real zfs-fuse pools over SSH: reachability, datasets, and the send's estimate against the
 * target's room — zfs-fuse has no `zfs send -n`, so the estimate comes from the snapshots' `referenced`.
 */
describe.skipIf(unavailable !== undefined)('ZFS preflight over SSH (real zfs-fuse)', () => {
  let sites: ZfsSites;
  let appliances: ZfsAppliances;
  let src: string;
  let dst: string;

  beforeAll(async () => {
    sites = await startZfsSites({ modern: true });
    const ep = endpointOf(sites.sshd);
    // Port 9 on loopback: nothing listens, as with an appliance that is down.
    appliances = createZfsAppliances({
      'zfs-a': ep,
      'zfs-b': ep,
      'zfs-down': { ...ep, port: 9 },
      'zfs-down2': { ...ep, port: 7 },
      ...modernSites(),
    });
    src = `${sites.sourcePool}/vmstore`;
    dst = `${sites.targetPool}/vmstore`;
    await sites.zfs('create', src);
    await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
  }, ZFS_SITES_WAIT_MS + 120_000); // may wait for another file's ZFS sites to close (machine-lock.ts)
  afterAll(async () => {
    await sites?.close();
  }, 150_000);

  /** The simulated OpenZFS 2.x appliance (lab zfs shim over its own sshd) on the same pools. */
  function modernSites() {
    const m = sites.modern;
    if (!m) throw new Error('no modern site');
    const ep = endpointOf(m.sshd);
    return { 'zfs-ma': ep, 'zfs-mb': ep };
  }

  const preflight = (params: Record<string, unknown>, source = 'zfs-a') =>
    createZfsPreflightHandler(appliances)(
      {
        group: 'prod-vms',
        sourceDataset: src,
        targetAppliance: 'zfs-b',
        targetDataset: dst,
        ...params,
      } as Parameters<ReturnType<typeof createZfsPreflightHandler>>[0],
      ctxFor('zfs.preflight', source),
    );
  const snapshot = async () =>
    (
      await createZfsSnapshotHandler(appliances)(
        { group: 'prod-vms', dataset: src },
        ctxFor('zfs.snapshot', 'zfs-a'),
      )
    ).snapshot;
  const exists = (dataset: string) =>
    sites.zfs('list', '-H', '-o', 'name', dataset).then(
      () => true,
      () => false,
    );

  it('feature detection picks the estimate method: zfs-fuse has no `zfs send -n`', async () => {
    const f = await createZfsFeaturesHandler(appliances)({}, ctxFor('zfs.features', 'zfs-a'));
    expect(f).toMatchObject({ sizeEstimate: false, estimateMethod: 'referenced' });
  });

  it('an unreachable appliance fails the preflight naming it; two name both', async () => {
    const one = preflight({ targetAppliance: 'zfs-down' });
    await expect(one).rejects.toMatchObject({ code: 'appliance_unreachable' });
    await expect(one).rejects.toThrow(
      /ZFS appliance zfs-down \(127\.0\.0\.1:9\) is unreachable: .*ECONNREFUSED/,
    );
    const both = preflight({ targetAppliance: 'zfs-down' }, 'zfs-down2');
    await expect(both).rejects.toThrow(
      /zfs-down2 \(127\.0\.0\.1:7\) is unreachable.*; .*zfs-down \(127\.0\.0\.1:9\) is unreachable/,
    );
  });

  it('a missing source dataset, or a target without a parent, fails with the dataset named', async () => {
    await expect(preflight({ sourceDataset: `${sites.sourcePool}/missing` })).rejects.toThrow(
      `source dataset zfs-a:${sites.sourcePool}/missing does not exist`,
    );
    await expect(preflight({ targetDataset: `${sites.targetPool}/no/child` })).rejects.toThrow(
      `neither does its parent ${sites.targetPool}/no`,
    );
  });

  it('before a first full send: the target dataset is absent, its parent pool has the room', async () => {
    const out = await preflight({});
    expect(out.source).toEqual({ appliance: 'zfs-a', dataset: src, snapshots: 0 });
    expect(out.target).toMatchObject({ appliance: 'zfs-b', exists: false, availableOn: sites.targetPool });
    expect(out.target.available).toBeGreaterThan(100 * 1024 * 1024);
    expect(out.estimate).toBeUndefined();
  });

  it('a target with too little room fails the space check before any byte is sent', async () => {
    await writeFile(join(sites.mountpoint(src), 'vm1', 'vm1-flat.vmdk'), randomBytes(4 * 1024 * 1024));
    const snap = await snapshot();
    await sites.zfs('set', 'quota=2M', sites.targetPool);
    try {
      const short = preflight({ snapshot: snap });
      await expect(short).rejects.toBeInstanceOf(RackOpsError);
      await expect(short).rejects.toMatchObject({ code: 'insufficient_space' });
      await expect(short).rejects.toThrow(
        new RegExp(
          `not enough space on zfs-b: the full send ${src}@${snap} is ~4\\.\\d MB \\(referenced\\), ${sites.targetPool} has [\\d.]+ (MB|KB|B) available; nothing was sent`,
        ),
      );
      expect(await exists(dst)).toBe(false);
      expect(await sites.transfers()).toEqual([]);
    } finally {
      await sites.zfs('set', 'quota=none', sites.targetPool);
    }
  }, 60_000);

  it('with room: the full send estimated, and the agent transport reports percent and ETA against it', async () => {
    const snap =
      (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', src)).trim().split('@')[1] ?? '';
    const out = await preflight({ snapshot: snap });
    expect(out).toMatchObject({ plan: 'full', estimate: { method: 'referenced' } });
    const estimate = out.estimate?.bytes ?? 0;
    expect(out.estimate?.atMost).toBeUndefined();
    const progress: Progress[] = [];
    const sent = await createZfsReplicateHandler(appliances, { progressEveryMs: 0 })(
      { group: 'prod-vms', sourceDataset: src, targetAppliance: 'zfs-b', targetDataset: dst, snapshot: snap },
      ctxFor('zfs.replicate', 'zfs-a', progress),
    );
    expect(sent.kind).toBe('full');
    // `referenced` against the stream's own size: within a tenth (the stream adds headers, the pool metadata).
    expect(Math.abs(sent.bytes - estimate) / sent.bytes).toBeLessThan(0.1);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p.page).toMatchObject({ totalBytes: estimate });
    const early = progress.filter((p) => (p.page?.bytes as number) < estimate);
    expect(early.length).toBeGreaterThan(0);
    for (const p of early) {
      expect(p.percent).toBe(Math.round((100 * (p.page?.bytes as number)) / estimate));
      expect(p.page?.etaSeconds).toEqual(expect.any(Number));
      expect(p.text).toMatch(
        new RegExp(`^sent \\d+ bytes \\(\\d+ KiB/s, of ~${estimate} bytes, ETA \\d+ s\\)$`),
      );
    }
  }, 120_000);

  it('an increment on zfs-fuse is a range: refused below its floor, reported when it fits', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // snapshot names carry the second
    await writeFile(join(sites.mountpoint(src), 'vm1', 'grown.bin'), randomBytes(2 * 1024 * 1024));
    const snap = await snapshot();
    const out = await preflight({ snapshot: snap });
    expect(out).toMatchObject({ plan: 'incremental', estimate: { method: 'referenced' } });
    const e = out.estimate;
    expect(e?.bytes).toBeGreaterThan(2 * 1024 * 1024 * 0.9);
    expect(e?.atMost).toBeGreaterThan(e?.bytes ?? 0);

    // Room below the floor: the increment cannot fit, whatever it holds.
    const used = Number((await sites.zfs('get', '-Hp', '-o', 'value', 'used', dst)).trim());
    await sites.zfs('set', `quota=${used + 512 * 1024}`, dst);
    try {
      await expect(preflight({ snapshot: snap })).rejects.toThrow(
        /not enough space on zfs-b: the increment .* is 2\.\d MB to 6\.\d MB \(by referenced/,
      );
    } finally {
      await sites.zfs('set', 'quota=none', dst);
    }
  }, 120_000);

  it('on a modern appliance the estimate is its own dry run (`send -nvP`), and the send matches it', async () => {
    const f = await createZfsFeaturesHandler(appliances)({}, ctxFor('zfs.features', 'zfs-ma'));
    expect(f).toMatchObject({ sizeEstimate: true, estimateMethod: 'send -nvP' });
    const snap =
      (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', src))
        .trim()
        .split('\n')
        .at(-1)
        ?.split('@')[1] ?? '';
    const modernDst = `${sites.targetPool}/modern`;
    const out = await preflight(
      { snapshot: snap, targetAppliance: 'zfs-mb', targetDataset: modernDst },
      'zfs-ma',
    );
    expect(out).toMatchObject({ plan: 'full', estimate: { method: 'send -nvP' } });
    expect(out.estimate?.atMost).toBeUndefined();
    const sent = await createZfsReplicateHandler(appliances, { progressEveryMs: 0 })(
      {
        group: 'prod-vms',
        sourceDataset: src,
        targetAppliance: 'zfs-mb',
        targetDataset: modernDst,
        snapshot: snap,
      },
      ctxFor('zfs.replicate', 'zfs-ma'),
    );
    expect(sent.kind).toBe('full');
    // The simulated appliance's dry run counts the very stream it would send.
    expect(sent.bytes).toBe(out.estimate?.bytes);
  }, 120_000);
});
