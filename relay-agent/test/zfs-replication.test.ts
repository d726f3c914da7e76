import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandKind } from '@rackops/core/relay/commands';
import { RetentionPolicy } from '@rackops/core/replication/protection-group.schema';
import { ValidationError } from '@rackops/core/util/errors';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createZfsFeaturesHandler,
  createZfsPruneHandler,
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from '../src/commands/zfs-replication.handlers';
import { HostKeyMismatchError } from '../src/zfs/ssh-link';
import { createZfsAppliances, type ZfsAppliances } from '../src/zfs/zfs-appliance';
import { zfsContexts, sitePairOn } from './helpers/zfs-rig';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS replication tests skipped: ${unavailable}`);

const context = zfsContexts('2026-12-05T12:00:00Z');
const ctxFor = (kind: CommandKind, appliance: string, memo = new Map<string, unknown>()) =>
  context(kind, { appliance, memo });

describe.skipIf(unavailable !== undefined)('ZFS replication over SSH (real zfs-fuse)', () => {
  let sites: ZfsSites;
  let appliances: ZfsAppliances;
  let src: string;
  let dst: string;
  const retention = RetentionPolicy.parse({});

  beforeAll(async () => {
    sites = await startZfsSites();
    ({ appliances, src, dst } = await sitePairOn(sites));
  }, ZFS_SITES_WAIT_MS + 120_000); // may wait for another file's ZFS sites to close (machine-lock.ts)
  afterAll(async () => {
    await sites?.close();
  }, 150_000);

  const snapshot = createZfsSnapshotHandler({ get: (id) => appliances.get(id) });
  const replicate = createZfsReplicateHandler({ get: (id) => appliances.get(id) });
  const prune = createZfsPruneHandler({ get: (id) => appliances.get(id) });
  const pair = () => ({
    group: 'prod-vms',
    sourceDataset: src,
    targetAppliance: 'zfs-b',
    targetDataset: dst,
  });
  const takeAndSend = async () => {
    const snap = await snapshot({ group: 'prod-vms', dataset: src }, ctxFor('zfs.snapshot', 'zfs-a'));
    return replicate({ ...pair(), snapshot: snap.snapshot }, ctxFor('zfs.replicate', 'zfs-a'));
  };
  const vmdk = () => join(sites.mountpoint(src), 'vm1', 'vm1-flat.vmdk');
  const replica = (...path: string[]) => sites.readFresh(dst, ...path);

  it('detects the old CLI: no bookmarks, no resumable receive, no size estimate', async () => {
    const f = await createZfsFeaturesHandler(appliances)({}, ctxFor('zfs.features', 'zfs-a'));
    expect(f).toMatchObject({
      version: 'legacy',
      bookmarks: false,
      resumableReceive: false,
      sizeEstimate: false,
      sendProgress: false,
    });
    expect(typeof f.holds).toBe('boolean');
  });

  it('first a full send, then an increment; the changed file is byte-identical on the target', async () => {
    await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
    const data = randomBytes(4 * 1024 * 1024);
    await writeFile(vmdk(), data);
    const full = await takeAndSend();
    expect(full.kind).toBe('full');
    expect(full.bytes).toBeGreaterThan(data.length);
    expect(Buffer.compare(await replica('vm1', 'vm1-flat.vmdk'), data)).toBe(0);

    // A guest writing 64 KiB in place, as a VM's disk changes between two runs.
    const patch = randomBytes(64 * 1024);
    const changed = Buffer.from(data);
    patch.copy(changed, 1024 * 1024);
    const fh = await open(vmdk(), 'r+');
    await fh.write(patch, 0, patch.length, 1024 * 1024);
    await fh.close();
    const incr = await takeAndSend();
    expect(incr).toMatchObject({ kind: 'incremental', from: full.snapshot });
    expect(incr.bytes).toBeLessThan(full.bytes / 4);
    expect(Buffer.compare(await replica('vm1', 'vm1-flat.vmdk'), changed)).toBe(0);
  }, 120_000);

  it('a replayed command sends nothing twice and takes no second snapshot', async () => {
    const memo = new Map<string, unknown>();
    const first = await snapshot({ group: 'prod-vms', dataset: src }, ctxFor('zfs.snapshot', 'zfs-a', memo));
    const again = await snapshot({ group: 'prod-vms', dataset: src }, ctxFor('zfs.snapshot', 'zfs-a', memo));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ snapshot: first.snapshot, created: false });
    const sent = await replicate({ ...pair(), snapshot: first.snapshot }, ctxFor('zfs.replicate', 'zfs-a'));
    expect(sent.kind).toBe('incremental');
    const replay = await replicate({ ...pair(), snapshot: first.snapshot }, ctxFor('zfs.replicate', 'zfs-a'));
    expect(replay).toMatchObject({ kind: 'up-to-date', bytes: 0 });
  }, 60_000);

  it('pruning keeps the newest common snapshot on both sides, and the chain goes on incrementally', async () => {
    for (let i = 0; i < 3; i++) {
      await writeFile(join(sites.mountpoint(src), 'vm1', `log-${i}.txt`), `line ${i}\n`);
      await takeAndSend();
    }
    const before = (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', src))
      .trim()
      .split('\n');
    const out = await prune(
      { ...pair(), retention: { ...retention, frequent: 1, hourly: 0, daily: 0, weekly: 0 } },
      ctxFor('zfs.prune', 'zfs-a'),
    );
    expect(out.destroyedSource.length).toBe(before.length - 1);
    expect(out.destroyedTarget.length).toBeGreaterThan(0);
    const left = async (ds: string) =>
      (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', ds)).trim().split('\n');
    expect(await left(src)).toEqual([`${src}@${out.common}`]);
    expect(await left(dst)).toEqual([`${dst}@${out.common}`]);

    await writeFile(join(sites.mountpoint(src), 'vm1', 'after-prune.txt'), 'still chained\n');
    const next = await takeAndSend();
    expect(next).toMatchObject({ kind: 'incremental', from: out.common });
    expect(await readFile(join(sites.mountpoint(dst), 'vm1', 'after-prune.txt'), 'utf8')).toBe(
      'still chained\n',
    );
  }, 120_000);

  it.each(['tank/x; rm -rf /', 'tank/$(reboot)', 'tank/my data', '-R', 'tank/-F'])(
    'refuses the dataset %j before any SSH connection',
    async (bad) => {
      // An appliance that cannot be reached: a ValidationError proves nothing was attempted.
      const unreachable = createZfsAppliances({
        'zfs-a': {
          host: '127.0.0.1',
          port: 1,
          username: 'x',
          privateKeyPath: '/nonexistent',
          hostKeyFingerprint: 'SHA256:x',
        },
      });
      const run = createZfsSnapshotHandler(unreachable);
      await expect(
        run({ group: 'prod-vms', dataset: bad }, ctxFor('zfs.snapshot', 'zfs-a')),
      ).rejects.toBeInstanceOf(ValidationError);
      const rep = createZfsReplicateHandler(unreachable);
      await expect(
        rep(
          { ...pair(), sourceDataset: bad, snapshot: 'rackops-prod-vms-20261205T120000Z' },
          ctxFor('zfs.replicate', 'zfs-a'),
        ),
      ).rejects.toBeInstanceOf(ValidationError);
    },
  );

  it('refuses an appliance whose host key is not the pinned one', async () => {
    const wrong = createZfsAppliances({
      'zfs-a': {
        host: sites.sshd.host,
        port: sites.sshd.port,
        username: sites.sshd.username,
        privateKeyPath: sites.sshd.clientKeyPath,
        hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      },
    });
    await expect(createZfsFeaturesHandler(wrong)({}, ctxFor('zfs.features', 'zfs-a'))).rejects.toBeInstanceOf(
      HostKeyMismatchError,
    );
  });
});
