import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandKind } from '@rackops/core/relay/commands';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createZfsCloneHandler,
  createZfsDestroyCloneHandler,
  createZfsPromoteHandler,
  createZfsDemoteHandler,
} from '../src/commands/zfs-dr.handlers';
import {
  createZfsPruneHandler,
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from '../src/commands/zfs-replication.handlers';
import type { ZfsAppliances } from '../src/zfs/zfs-appliance';
import { zfsContexts, sitePairOn } from './helpers/zfs-rig';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS DR tests skipped: ${unavailable}`);

const context = zfsContexts('2026-12-06T12:00:00Z');
const ctxFor = (kind: CommandKind, appliance: string, memo = new Map<string, unknown>()) =>
  context(kind, { appliance, memo, sleep: (ms = 100) => new Promise((r) => setTimeout(r, ms)) });

describe.skipIf(unavailable !== undefined)(
  'ZFS for DR over SSH (real zfs-fuse): clone, destroy clone, promote',
  () => {
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
    const snapshot = createZfsSnapshotHandler(lazy);
    const replicate = createZfsReplicateHandler(lazy);
    const clone = createZfsCloneHandler(lazy);
    const destroy = createZfsDestroyCloneHandler(lazy);
    const promote = createZfsPromoteHandler(lazy);
    const demote = createZfsDemoteHandler(lazy);
    const prune = createZfsPruneHandler(lazy);
    const sync = async (content: string, from = src, to = dst) => {
      await writeFile(join(sites.mountpoint(from), 'web-01.vmx'), content);
      const snap = await snapshot({ group, dataset: from }, ctxFor('zfs.snapshot', 'zfs-a'));
      await replicate(
        { group, sourceDataset: from, targetAppliance: 'zfs-b', targetDataset: to, snapshot: snap.snapshot },
        ctxFor('zfs.replicate', 'zfs-a'),
      );
      return snap.snapshot;
    };
    const prop = async (ds: string, name: string) =>
      (await sites.zfs('get', '-H', '-o', 'value', name, ds)).trim();
    const datasets = async () => (await sites.zfs('list', '-H', '-o', 'name')).trim().split('\n');
    const snaps = async (ds: string) =>
      (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', ds))
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((n) => n.slice(n.indexOf('@') + 1));
    let firstSnap = '';
    let secondSnap = '';
    let testClone = '';

    it('clones the newest replica snapshot once; replication goes on while the clone exists', async () => {
      firstSnap = await sync('displayName = "web-01"\nmemSize = "1"\n');
      secondSnap = await sync('displayName = "web-01"\nmemSize = "2"\n');
      const memo = new Map<string, unknown>();
      const made = await clone({ group, dataset: dst }, ctxFor('zfs.clone', 'zfs-b', memo));
      expect(made).toMatchObject({ origin: secondSnap, created: true });
      expect(made.clone).toMatch(new RegExp(`^${sites.targetPool}/rackops-test-gold-\\d{8}T\\d{6}Z$`));
      expect(made.mountpoint).toBe(sites.mountpoint(made.clone));
      testClone = made.clone;
      expect((await sites.readFresh(made.clone, 'web-01.vmx')).toString()).toContain('memSize = "2"');
      // The clone is writable (test VMs run on it); the replica stays read-only.
      await writeFile(join(made.mountpoint, 'test-marker'), 'written at DR during the test');
      expect(await prop(dst, 'rackops:replica')).toBe('gold');
      expect(await prop(src, 'rackops:replica')).toBe('-');

      const replay = await clone({ group, dataset: dst }, ctxFor('zfs.clone', 'zfs-b', memo));
      expect(replay).toEqual({ ...made, created: false });
      expect((await datasets()).filter((d) => d.includes('rackops-test-'))).toEqual([made.clone]);

      const third = await sync('displayName = "web-01"\nmemSize = "3"\n');
      expect(await snaps(dst)).toContain(third);
      expect((await sites.readFresh(made.clone, 'web-01.vmx')).toString()).toContain('memSize = "2"');
    }, 240_000);

    it('destroys only RackOps test clones of the group: the replica, another group and the source are refused', async () => {
      const refused = async (params: { group: string; clone: string }, appliance = 'zfs-b') => {
        const err = await destroy(params, ctxFor('zfs.destroy-clone', appliance)).then(
          () => undefined,
          (e: unknown) => e as { code?: string },
        );
        expect(err, JSON.stringify(params)).toBeDefined();
        return err?.code;
      };
      expect(await refused({ group, clone: dst })).toBe('not_a_rackops_clone');
      expect(await refused({ group, clone: src }, 'zfs-a')).toBe('not_a_rackops_clone');
      expect(await refused({ group: 'silver', clone: testClone })).toBe('not_a_rackops_clone');
      expect(await refused({ group, clone: `${testClone}; zfs destroy -r ${dst}` })).toBe('validation');
      // A dataset shaped like a clone name that is not a clone (no origin) is not ours either.
      const fake = `${sites.targetPool}/rackops-test-gold-20261206T000000Z`;
      await sites.zfs('create', fake);
      expect(await refused({ group, clone: fake })).toBe('not_a_rackops_clone');
      // zfs-fuse calls a dataset it has just mounted busy for a moment: as the handler does, try again.
      for (let i = 0; i < 10; i++) {
        if (
          await sites.zfs('destroy', '-f', fake).then(
            () => true,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(await datasets()).not.toContain(fake);

      expect(await destroy({ group, clone: testClone }, ctxFor('zfs.destroy-clone', 'zfs-b'))).toEqual({
        destroyed: true,
      });
      expect((await datasets()).some((d) => d.includes('rackops-test-'))).toBe(false);
      expect(await destroy({ group, clone: testClone }, ctxFor('zfs.destroy-clone', 'zfs-b'))).toEqual({
        destroyed: false,
      });
      // The replica and its snapshots are all still there.
      expect(await snaps(dst)).toEqual(expect.arrayContaining([firstSnap, secondSnap]));
    }, 120_000);

    it('promotes the replica: rolled back to the named snapshot and writable, once; the source is untouched', async () => {
      const sourceSnaps = await snaps(src);
      const sourceVmx = await readFile(join(sites.mountpoint(src), 'web-01.vmx'), 'utf8');
      const out = await promote(
        { group, dataset: dst, snapshot: secondSnap },
        ctxFor('zfs.promote', 'zfs-b'),
      );
      expect(out).toEqual({
        snapshot: secondSnap,
        rolledBack: true,
        writable: true,
        mountpoint: sites.mountpoint(dst),
      });
      expect((await snaps(dst)).at(-1)).toBe(secondSnap);
      expect(await prop(dst, 'rackops:promoted')).toBe(secondSnap);
      expect((await sites.readFresh(dst, 'web-01.vmx')).toString()).toContain('memSize = "2"');

      // VMs at DR write; a replayed promote (even a new command, another snapshot) must not roll that back.
      await writeFile(join(sites.mountpoint(dst), 'dr-write'), 'after failover');
      const again = await promote(
        { group, dataset: dst, snapshot: firstSnap },
        ctxFor('zfs.promote', 'zfs-b'),
      );
      expect(again).toEqual({
        snapshot: secondSnap,
        rolledBack: false,
        writable: true,
        mountpoint: sites.mountpoint(dst),
      });
      expect((await sites.readFresh(dst, 'dr-write')).toString()).toBe('after failover');
      // Nor may the schedule replicate into it: a receive -F would.
      const fourth = await snapshot({ group, dataset: src }, ctxFor('zfs.snapshot', 'zfs-a'));
      const refused = await replicate(
        {
          group,
          sourceDataset: src,
          targetAppliance: 'zfs-b',
          targetDataset: dst,
          snapshot: fourth.snapshot,
        },
        ctxFor('zfs.replicate', 'zfs-a'),
      ).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(refused?.code).toBe('replica_promoted');
      expect((await sites.readFresh(dst, 'dr-write')).toString()).toBe('after failover');

      // Misdirected at the source (no replica mark): refused, nothing rolled back, nothing destroyed.
      const atSource = await promote(
        { group, dataset: src, snapshot: firstSnap },
        ctxFor('zfs.promote', 'zfs-a'),
      ).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(atSource?.code).toBe('not_a_replica');
      expect(await snaps(src)).toEqual([...sourceSnaps, fourth.snapshot]);
      expect(await readFile(join(sites.mountpoint(src), 'web-01.vmx'), 'utf8')).toBe(sourceVmx);

      // The confirmed roll back: demoting the source is refused; the replica loses what DR wrote, once.
      const demoteSource = await demote({ group, dataset: src }, ctxFor('zfs.demote', 'zfs-a')).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(demoteSource?.code).toBe('not_a_replica');
      expect(await demote({ group, dataset: dst }, ctxFor('zfs.demote', 'zfs-b'))).toEqual({
        snapshot: secondSnap,
        demoted: true,
      });
      expect(await prop(dst, 'rackops:promoted')).toBe('-');
      await expect(sites.readFresh(dst, 'dr-write')).rejects.toThrow();
      expect(await demote({ group, dataset: dst }, ctxFor('zfs.demote', 'zfs-b'))).toEqual({
        demoted: false,
      });
      // And replication into it resumes with the increment.
      const resumed = await replicate(
        {
          group,
          sourceDataset: src,
          targetAppliance: 'zfs-b',
          targetDataset: dst,
          snapshot: fourth.snapshot,
        },
        ctxFor('zfs.replicate', 'zfs-a'),
      );
      expect(resumed.kind).toBe('incremental');
    }, 120_000);

    it('prune never destroys the origin of a live clone: skipped and said so; taken after the clean-up', async () => {
      // A pair of its own: the tests above leave the first pair promoted.
      const from = `${sites.sourcePool}/prunestore`;
      const to = `${sites.targetPool}/prunestore`;
      await sites.zfs('create', from);
      const older = await sync('memSize = "1"\n', from, to);
      const origin = await sync('memSize = "2"\n', from, to);
      const newest = await sync('memSize = "3"\n', from, to);
      const made = await clone({ group, dataset: to, snapshot: origin }, ctxFor('zfs.clone', 'zfs-b'));
      const pruneParams = {
        group,
        sourceDataset: from,
        targetAppliance: 'zfs-b',
        targetDataset: to,
        retention: { frequent: 1, hourly: 0, daily: 0, weekly: 0 },
      };
      const out = await prune(pruneParams, ctxFor('zfs.prune', 'zfs-a'));
      expect(out.destroyedSource).toEqual([origin, older]);
      expect(out.destroyedTarget).toEqual([older]);
      expect(out.skipped).toEqual([{ dataset: to, tag: origin, reason: 'origin of a live clone' }]);
      expect(await snaps(to)).toEqual([origin, newest]);
      expect(await prop(made.clone, 'origin')).toBe(`${to}@${origin}`);

      await destroy({ group, clone: made.clone }, ctxFor('zfs.destroy-clone', 'zfs-b'));
      const after = await prune(pruneParams, ctxFor('zfs.prune', 'zfs-a'));
      expect(after).toMatchObject({ destroyedSource: [], destroyedTarget: [origin] });
      expect(after.skipped).toBeUndefined();
      expect(await snaps(to)).toEqual([newest]);
    }, 180_000);
  },
);
