import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandKind } from '@rackops/core/relay/commands';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZfsPromoteHandler, createZfsSourceReadonlyHandler } from '../src/commands/zfs-dr.handlers';
import {
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from '../src/commands/zfs-replication.handlers';
import type { ZfsAppliances } from '../src/zfs/zfs-appliance';
import { zfsContexts, sitePairOn } from './helpers/zfs-rig';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`zfs.source-readonly tests skipped: ${unavailable}`);

const context = zfsContexts('2026-12-06T12:00:00Z');
const ctxFor = (kind: CommandKind, appliance: string) =>
  context(kind, { appliance, sleep: (ms = 100) => new Promise((r) => setTimeout(r, ms)) });

/**
 * zfs.source-readonly on real zfs-fuse (or the simulated appliance): zfs-fuse refuses writes through the mount
 * of a dataset with readonly=on (EROFS) although `zfs get readonly` answers `off`; the simulated appliance
 * records the property but its directories take writes, so there the property is what is checked.
 */
describe.skipIf(unavailable !== undefined)('zfs.source-readonly over SSH', () => {
  let sites: ZfsSites;
  let appliances: ZfsAppliances;
  let src: string;
  let dst: string;
  const group = 'gold';

  beforeAll(async () => {
    sites = await startZfsSites();
    ({ appliances, src, dst } = await sitePairOn(sites));
  }, ZFS_SITES_WAIT_MS + 120_000);
  afterAll(async () => {
    await sites?.close();
  }, 150_000);

  const lazy: ZfsAppliances = { get: (id) => appliances.get(id) };
  const access = createZfsSourceReadonlyHandler(lazy);
  const snapshot = createZfsSnapshotHandler(lazy);
  const replicate = createZfsReplicateHandler(lazy);
  const promote = createZfsPromoteHandler(lazy);
  const prop = async (ds: string, name: string) =>
    (await sites.zfs('get', '-H', '-o', 'value', name, ds)).trim();
  let n = 0;
  const write = (ds: string) => writeFile(join(sites.mountpoint(ds), `w-${++n}.txt`), 'x');
  const expectReadOnly = async (ds: string) => {
    if (sites.appliance === 'zfs-fuse') await expect(write(ds)).rejects.toThrow(/EROFS/);
    else expect(await prop(ds, 'readonly')).toBe('on');
  };
  const expectWritable = async (ds: string) => {
    await write(ds);
    if (sites.appliance !== 'zfs-fuse') expect(await prop(ds, 'readonly')).toBe('off');
  };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
  const set = (dataset: string, readonly: boolean, appliance = 'zfs-a', handover?: boolean) =>
    access(
      { group, dataset, readonly, ...(handover ? { handover } : {}) },
      ctxFor('zfs.source-readonly', appliance),
    );

  it('a source: read-only (writes refused), again (no change), writable again', async () => {
    await expectWritable(src);
    expect(await set(src, true)).toEqual({ dataset: src, readonly: true });
    await expectReadOnly(src);
    expect(await set(src, true)).toEqual({ dataset: src, readonly: true });
    await expectReadOnly(src);
    expect(await set(src, false)).toEqual({ dataset: src, readonly: false });
    await expectWritable(src);
    expect(await set(src, false)).toEqual({ dataset: src, readonly: false });
    await expectWritable(src);
  }, 120_000);

  it('a replica is refused and left as it is; a missing dataset is not found; bad names never reach SSH', async () => {
    const snap = await snapshot({ group, dataset: src }, ctxFor('zfs.snapshot', 'zfs-a'));
    await replicate(
      { group, sourceDataset: src, targetAppliance: 'zfs-b', targetDataset: dst, snapshot: snap.snapshot },
      ctxFor('zfs.replicate', 'zfs-a'),
    );
    expect(await prop(dst, 'rackops:replica')).toBe(group);
    const refused = await failure(set(dst, false, 'zfs-b'));
    expect(refused?.code).toBe('not_a_source');
    expect(refused?.message).toMatch(/is a replica of gold, not the source of gold: left as it is/);
    await expectReadOnly(dst);
    // Another group's live source is not this group's to fence either: refused the same way.
    const other = await failure(
      access({ group: 'silver', dataset: dst, readonly: true }, ctxFor('zfs.source-readonly', 'zfs-b')),
    );
    expect(other?.code).toBe('not_a_source');
    expect((await failure(set(`${sites.sourcePool}/nope`, true)))?.code).toBe('not_found');
    await expect(set('pool/x; rm -rf /', true)).rejects.toThrow(
      /invalid zfs.source-readonly params: dataset/,
    );
    await expect(
      access(
        { group, dataset: src, readonly: 'yes' as unknown as boolean },
        ctxFor('zfs.source-readonly', 'zfs-a'),
      ),
    ).rejects.toThrow(/readonly/);
  }, 120_000);

  it('a promoted replica (a failback’s source) is fenced; a handover clears its promoted mark', async () => {
    const snap = await snapshot({ group, dataset: src }, ctxFor('zfs.snapshot', 'zfs-a'));
    await replicate(
      { group, sourceDataset: src, targetAppliance: 'zfs-b', targetDataset: dst, snapshot: snap.snapshot },
      ctxFor('zfs.replicate', 'zfs-a'),
    );
    await promote({ group, dataset: dst, snapshot: snap.snapshot }, ctxFor('zfs.promote', 'zfs-b'));
    await expectWritable(dst);
    expect(await set(dst, true, 'zfs-b')).toEqual({ dataset: dst, readonly: true });
    await expectReadOnly(dst);
    expect(await prop(dst, 'rackops:promoted')).toBe(snap.snapshot);
    expect(await set(dst, true, 'zfs-b', true)).toEqual({ dataset: dst, readonly: true, unmarked: true });
    expect(await prop(dst, 'rackops:promoted')).toBe('-');
    await expectReadOnly(dst);
    // A replica again: no longer a source, refused from now on.
    expect((await failure(set(dst, false, 'zfs-b')))?.code).toBe('not_a_source');
  }, 120_000);
});
