import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { UseCaseDeps } from '@rackops/core/usecases/deps';
import { decideFailover, startFailover } from '@rackops/core/usecases/failover';
import { replicateGroup } from '@rackops/core/usecases/replicate-group';
import { resourcePoolOf } from '@rackops/lab/vcenter/model/morefs';
import type { World } from '@rackops/lab/world/world';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../src/stack';
import { createGoldGroup, startDrStack } from './helpers/dr-stack';
import { waitForJob } from './helpers/zfs-stack';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`failover source read-only tests skipped: ${unavailable}`);

const alice = { kind: 'user' as const, id: 'u-alice', name: 'Alice' };

/**
 * "Nothing at the source is destroyed by any path": a planned failover makes the source dataset read-only from
 * the shutdown on, so no write there can be rolled back by the first reverse sync (`receive -F`) after a
 * Commit. zfs-fuse refuses writes through the mount of a read-only dataset (EROFS) though `zfs get readonly`
 * answers `off`; the simulated appliance records the property but its directories take writes, so there the
 * property is what is checked. Then the failback: DR → original, and the direction is the original again.
 */
describe.skipIf(unavailable !== undefined)('failover: the source read-only, and the failback', () => {
  let sites: ZfsSites;
  let stack: LocalStack;
  let deps: UseCaseDeps;
  let world: World;
  let src: string;
  let dst: string;

  beforeAll(async () => {
    sites = await startZfsSites();
    src = `${sites.sourcePool}/vmstore`;
    dst = `${sites.targetPool}/vmstore`;
    await sites.zfs('create', src);
    ({ stack, world, deps } = await startDrStack(sites, src, { exportSource: true }));
    await createGoldGroup(
      stack,
      { src, dst },
      {
        retention: { frequent: 3, hourly: 0, daily: 0, weekly: 0 },
        production: false,
        createdBy: alice,
      },
    );
  }, ZFS_SITES_WAIT_MS + 120_000);
  afterAll(async () => {
    await stack?.stop();
    await sites?.close();
  }, 150_000);

  const vmsAt = (vc: string) => [...world.vms.values()].filter((v) => v.vcenterId === vc);
  const group = async () => (await createProtectionGroupStore(stack.store).get('gold'))?.value;
  const waitFor = (jobId: string, statuses: string[], ms = 240_000) => waitForJob(stack, jobId, statuses, ms);
  const waitForPause = async (jobId: string, which: string) => {
    for (let i = 0; i < 1200 && (await stack.store.getJob(jobId))?.details.pause !== which; i++)
      await new Promise((r) => setTimeout(r, 200));
    return waitFor(jobId, ['paused', 'completed', 'failed', 'cancelled']);
  };
  const lines = async (jobId: string) =>
    (await stack.store.listLog(jobId)).items.map((l) => l.message).join('\n');
  const replicate = async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const { job } = await replicateGroup(deps, { group: 'gold', actor: alice });
    return waitFor(job.id, ['completed', 'failed', 'cancelled']);
  };
  /** A planned failover from `from` (the VMs there shut down) to `to`'s cluster. */
  const params = (from = 'vc-src', toCluster = 'dr-a') => ({
    vms: ['web-01', 'db-01'],
    sourceMorefs: Object.fromEntries(vmsAt(from).map((v) => [v.name, v.moref])),
    resourcePoolMoref: resourcePoolOf(world.cluster(toCluster)),
    hostMorefs: world.hostsInCluster(toCluster).map((h) => h.moref),
    nfsServer: '127.0.0.1',
    shutdownTimeoutSeconds: 60,
    toolsTimeoutSeconds: 120,
  });
  const prop = async (ds: string, name: string) =>
    (await sites.zfs('get', '-H', '-o', 'value', name, ds)).trim();
  let n = 0;
  const write = (ds: string) => writeFile(join(sites.mountpoint(ds), `late-write-${++n}.txt`), 'x');
  const expectReadOnly = async (ds: string) => {
    if (sites.appliance === 'zfs-fuse') await expect(write(ds)).rejects.toThrow(/EROFS/);
    else expect(await prop(ds, 'readonly')).toBe('on');
  };
  const expectWritable = async (ds: string) => {
    await write(ds);
    if (sites.appliance !== 'zfs-fuse') expect(await prop(ds, 'readonly')).toBe('off');
  };
  const powerOnAt = (vc: string) => {
    for (const v of vmsAt(vc)) v.powerState = 'poweredOn';
  };

  it('a failure before the promotion makes the source writable again', async () => {
    expect((await replicate()).status).toBe('completed');
    // The final sync is refused: the replica looks promoted (as after a failover nobody rolled back).
    await sites.zfs('set', 'rackops:promoted=blocked', dst);
    try {
      const { job } = await startFailover(deps, { group: 'gold', actor: alice, params: params() });
      const done = await waitFor(job.id, ['completed', 'failed', 'cancelled', 'paused']);
      const log = await lines(job.id);
      expect(done.status, log).toBe('failed');
      expect(done.summary).toMatch(/stopped before the promotion: .*promoted by a failover/);
      expect(log).toMatch(/vmstore: source writable again/);
      await expectWritable(src);
    } finally {
      await sites.zfs('inherit', 'rackops:promoted', dst);
      powerOnAt('vc-src');
    }
  }, 600_000);

  it('planned: writes at the source are refused from the shutdown on; Roll back makes it writable again', async () => {
    expect((await replicate()).status).toBe('completed');
    const { job } = await startFailover(deps, { group: 'gold', actor: alice, params: params() });
    const paused = await waitForPause(job.id, 'decide');
    expect(paused.status, await lines(job.id)).toBe('paused');
    expect(await lines(job.id)).toMatch(/source nas-src:\S+ set read-only before the final snapshot/);
    // A source VM powered on again by hand would write here: refused, so the DR copy stays the whole truth.
    await expectReadOnly(src);
    await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'rollback' });
    expect((await waitForPause(job.id, 'confirm-rollback')).status).toBe('paused');
    // Nothing runs at DR any more: the source takes writes before the second decision.
    await expectWritable(src);
    await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'rollback-confirmed' });
    const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
    expect(done.status, await lines(job.id)).toBe('completed');
    expect(done.details.result).toMatchObject({ outcome: 'rolled-back' });
    expect(await lines(job.id)).toMatch(/vmstore: source writable again/);
    await expectWritable(src);
    const after = await replicate();
    expect(after.status, after.summary).toBe('completed');
    powerOnAt('vc-src');
  }, 600_000);

  it('Commit leaves the source read-only; the reverse replication receives into it', async () => {
    expect((await replicate()).status).toBe('completed');
    const { job } = await startFailover(deps, { group: 'gold', actor: alice, params: params() });
    expect((await waitForPause(job.id, 'decide')).status).toBe('paused');
    await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'commit' });
    const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
    expect(done.status, await lines(job.id)).toBe('completed');
    expect(done.details.result).toMatchObject({ outcome: 'committed', reversed: true, vmsUp: 2 });
    expect(await lines(job.id)).toMatch(/vmstore: source read-only: the replica from now on/);
    expect((await group())?.direction).toBe('reversed');
    await expectReadOnly(src);
    await writeFile(join(sites.mountpoint(dst), 'db-01', 'at-dr.txt'), 'written at DR');
    const back = await replicate();
    expect(back.status, back.summary).toBe('completed');
    expect((await sites.readFresh(src, 'db-01', 'at-dr.txt')).toString()).toBe('written at DR');
    expect(await prop(src, 'rackops:replica')).toBe('gold');
    await expectReadOnly(src);
  }, 600_000);

  it('failback rolled back: the original VMs are powered off, not unregistered; the DR copy writable again', async () => {
    const originals = Object.fromEntries(vmsAt('vc-src').map((v) => [v.name, v.moref]));
    const { job } = await startFailover(deps, {
      group: 'gold',
      actor: alice,
      params: { ...params('vc-dr', 'src-a'), targetMorefs: originals },
    });
    expect((await waitForPause(job.id, 'decide')).status, await lines(job.id)).toBe('paused');
    expect(vmsAt('vc-src').map((v) => v.powerState)).toEqual(['poweredOn', 'poweredOn']);
    await expectReadOnly(dst);
    await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'rollback' });
    expect((await waitForPause(job.id, 'confirm-rollback')).status).toBe('paused');
    expect(Object.fromEntries(vmsAt('vc-src').map((v) => [v.name, [v.moref, v.powerState]]))).toEqual({
      'web-01': [originals['web-01'], 'poweredOff'],
      'db-01': [originals['db-01'], 'poweredOff'],
    });
    await expectWritable(dst);
    expect(await lines(job.id)).toMatch(/2 original\(s\) of a failback only powered off/);
    await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'rollback-confirmed' });
    const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
    expect(done.status, await lines(job.id)).toBe('completed');
    expect(done.details.result).toMatchObject({ outcome: 'rolled-back' });
    expect((await group())?.direction).toBe('reversed');
    expect(await prop(src, 'rackops:promoted')).toBe('-');
    powerOnAt('vc-dr');
  }, 600_000);

  it('failback: a planned failover DR → original and Commit; the direction is the original again', async () => {
    expect(await prop(dst, 'rackops:promoted')).not.toBe('-');
    // The original VMs are still registered at the original site (off since the failover): used again there.
    const originals = Object.fromEntries(vmsAt('vc-src').map((v) => [v.name, v.moref]));
    const { job } = await startFailover(deps, {
      group: 'gold',
      actor: alice,
      params: { ...params('vc-dr', 'src-a'), targetMorefs: originals },
    });
    const paused = await waitForPause(job.id, 'decide');
    expect(paused.status, await lines(job.id)).toBe('paused');
    // The DR copy, the source now, is fenced like the original was.
    await expectReadOnly(dst);
    await decideFailover(deps, { jobId: job.id, actor: alice, decision: 'commit' });
    const done = await waitFor(job.id, ['completed', 'failed', 'cancelled']);
    expect(done.status, await lines(job.id)).toBe('completed');
    expect(done.details.result, await lines(job.id)).toMatchObject({
      outcome: 'committed',
      reversed: true,
      vmsUp: 2,
    });
    const g = await group();
    expect(g?.direction).toBe('original');
    expect(g?.source).toMatchObject({ appliance: 'nas-src', dataset: src, vcenterId: 'vc-src' });
    expect(g?.target).toMatchObject({ appliance: 'nas-dst', dataset: dst, vcenterId: 'vc-dr' });
    // The DR copy is the replica again (read-only, no longer promoted); the original is live.
    expect(await prop(dst, 'rackops:promoted')).toBe('-');
    await expectReadOnly(dst);
    await expectWritable(src);
    expect(vmsAt('vc-dr').map((v) => v.powerState)).toEqual(['poweredOff', 'poweredOff']);
    expect(Object.fromEntries(vmsAt('vc-src').map((v) => [v.name, [v.moref, v.powerState]]))).toEqual({
      'web-01': [originals['web-01'], 'poweredOn'],
      'db-01': [originals['db-01'], 'poweredOn'],
    });
    await writeFile(join(sites.mountpoint(src), 'web-01', 'after-failback.txt'), 'home again');
    const next = await replicate();
    expect(next.status, next.summary).toBe('completed');
    expect(next.summary).toMatch(/increment/);
    expect((await sites.readFresh(dst, 'web-01', 'after-failback.txt')).toString()).toBe('home again');
    expect((await sites.readFresh(dst, 'db-01', 'at-dr.txt')).toString()).toBe('written at DR');
  }, 600_000);
});
