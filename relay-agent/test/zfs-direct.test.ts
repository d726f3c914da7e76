import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CommandKind } from '@rackops/core/relay/commands';
import { RetentionPolicy } from '@rackops/core/replication/protection-group.schema';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../src/commands/command-context';
import {
  createZfsPruneHandler,
  createZfsReplicateHandler,
  createZfsSnapshotHandler,
} from '../src/commands/zfs-replication.handlers';
import type { DirectHopInput } from '../src/zfs/direct-hop';
import { createZfsAppliances, type ZfsAppliances } from '../src/zfs/zfs-appliance';
import { endpointOf } from './helpers/zfs-rig';

const run = promisify(execFile);
const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS direct-transport tests skipped: ${unavailable}`);

let clock = Date.parse('2026-12-06T12:00:00Z');
function ctxFor(kind: CommandKind, progress: string[] = []): CommandContext {
  clock += 60_000;
  const at = new Date(clock);
  return {
    commandId: `cmd-${clock}`,
    kind,
    target: { type: 'zfs', id: 'zfs-a' },
    jobId: undefined,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    attempt: 1,
    pollIntervalMs: 100,
    progress: async (text) => void progress.push(text),
    memo: { get: () => undefined, set: () => {} },
    sleep: async () => {},
    now: () => at,
  };
}

/**
 * Direct transport on real zfs-fuse: the source "appliance" (the loopback sshd) runs `zfs send | ssh … zfs
 * receive` itself, over a hop whose key and known_hosts the test generates and installs, as an operator
 * would set up trust between two appliances.
 */
describe.skipIf(unavailable !== undefined)(
  'ZFS direct transport, appliance to appliance (real zfs-fuse)',
  () => {
    let sites: ZfsSites;
    let src: string;
    let dst: string;
    let hop: DirectHopInput;
    const appliancesWith = (direct: DirectHopInput): ZfsAppliances => {
      const ep = endpointOf(sites.sshd);
      return createZfsAppliances({ 'zfs-a': { ...ep, direct: { 'zfs-b': direct } }, 'zfs-b': ep });
    };

    beforeAll(async () => {
      sites = await startZfsSites();
      const ssh = join(sites.dir, 'ssh');
      const hopDir = join(sites.dir, 'hop');
      await mkdir(hopDir, { mode: 0o700 });
      const key = join(hopDir, 'hop_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rackops-hop', '-f', key]);
      await chmod(key, 0o600);
      await appendFile(join(ssh, 'authorized_keys'), await readFile(`${key}.pub`));
      const hostPub = (await readFile(join(ssh, 'host_ed25519.pub'), 'utf8')).trim().split(/\s+/);
      const knownHosts = join(hopDir, 'known_hosts');
      await writeFile(knownHosts, `[127.0.0.1]:${sites.sshd.port} ${hostPub[0]} ${hostPub[1]}\n`, {
        mode: 0o600,
      });
      hop = {
        host: '127.0.0.1',
        port: sites.sshd.port,
        user: sites.sshd.username,
        identityFile: key,
        knownHostsFile: knownHosts,
      };
      src = `${sites.sourcePool}/vmstore`;
      dst = `${sites.targetPool}/vmstore`;
      await sites.zfs('create', src);
    }, ZFS_SITES_WAIT_MS + 120_000);
    afterAll(async () => {
      await sites?.close();
    }, 150_000);

    const pair = () => ({
      group: 'dr-vms',
      sourceDataset: src,
      targetAppliance: 'zfs-b',
      targetDataset: dst,
    });
    const takeAndSend = async (
      appliances = appliancesWith(hop),
      progress: string[] = [],
      opts: { directPollMs?: number } = {},
    ) => {
      const snap = await createZfsSnapshotHandler(appliances)(
        { group: 'dr-vms', dataset: src },
        ctxFor('zfs.snapshot'),
      );
      return createZfsReplicateHandler(appliances, opts)(
        { ...pair(), snapshot: snap.snapshot, transport: 'direct' },
        ctxFor('zfs.replicate', progress),
      );
    };
    const vmdk = () => join(sites.mountpoint(src), 'vm1', 'vm1-flat.vmdk');
    const snapshotsOf = async (ds: string) =>
      (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', ds))
        .trim()
        .split('\n')
        .filter(Boolean);

    it('full then incremental, appliance to appliance; the changed file is byte-identical on the target', async () => {
      await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
      const data = randomBytes(4 * 1024 * 1024);
      await writeFile(vmdk(), data);
      const full = await takeAndSend();
      expect(full).toMatchObject({ kind: 'full', transport: 'direct', bytesFrom: 'target-used' });
      expect(full.bytes).toBeGreaterThan(data.length);
      expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1-flat.vmdk'), data)).toBe(0);

      const patch = randomBytes(64 * 1024);
      const changed = Buffer.from(data);
      patch.copy(changed, 1024 * 1024);
      const fh = await open(vmdk(), 'r+');
      await fh.write(patch, 0, patch.length, 1024 * 1024);
      await fh.close();
      const incr = await takeAndSend();
      expect(incr).toMatchObject({ kind: 'incremental', from: full.snapshot, transport: 'direct' });
      expect(incr.bytes).toBeLessThan(full.bytes / 4);
      expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1-flat.vmdk'), changed)).toBe(0);
    }, 180_000);

    it('a replayed command sends nothing twice', async () => {
      const appliances = appliancesWith(hop);
      const snap = await createZfsSnapshotHandler(appliances)(
        { group: 'dr-vms', dataset: src },
        ctxFor('zfs.snapshot'),
      );
      const params = { ...pair(), snapshot: snap.snapshot, transport: 'direct' as const };
      const first = await createZfsReplicateHandler(appliances)(params, ctxFor('zfs.replicate'));
      expect(first.kind).toBe('incremental');
      const before = await snapshotsOf(dst);
      const replay = await createZfsReplicateHandler(appliances)(params, ctxFor('zfs.replicate'));
      expect(replay).toMatchObject({ kind: 'up-to-date', bytes: 0 });
      expect(await snapshotsOf(dst)).toEqual(before);
    }, 120_000);

    it('a hop whose known_hosts pins another key is refused by ssh; the target keeps its snapshots', async () => {
      const wrong = join(sites.dir, 'hop', 'known_hosts.wrong');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sites.dir, 'hop', 'other')]);
      const other = (await readFile(join(sites.dir, 'hop', 'other.pub'), 'utf8')).trim().split(/\s+/);
      await writeFile(wrong, `[127.0.0.1]:${sites.sshd.port} ${other[0]} ${other[1]}\n`);
      const before = await snapshotsOf(dst);
      await expect(takeAndSend(appliancesWith({ ...hop, knownHostsFile: wrong }))).rejects.toThrow(
        /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/,
      );
      await sites.settle();
      expect(await snapshotsOf(dst)).toEqual(before);
    }, 120_000);

    it('pruning keeps the common base, and the next direct run goes on incrementally', async () => {
      const appliances = appliancesWith(hop);
      // The refused run above left a source snapshot the target never got: this run sends from the base.
      const retention = { ...RetentionPolicy.parse({}), frequent: 1, hourly: 0, daily: 0, weekly: 0 };
      await writeFile(join(sites.mountpoint(src), 'vm1', 'note.txt'), 'direct\n');
      const sent = await takeAndSend(appliances);
      expect(sent.kind).toBe('incremental');
      const out = await createZfsPruneHandler(appliances)({ ...pair(), retention }, ctxFor('zfs.prune'));
      expect(out.common).toBe(sent.snapshot);
      expect(await snapshotsOf(src)).toEqual([`${src}@${out.common}`]);
      expect(await snapshotsOf(dst)).toEqual([`${dst}@${out.common}`]);
      const next = await takeAndSend(appliances);
      expect(next).toMatchObject({ kind: 'incremental', from: out.common });
      expect((await sites.readFresh(dst, 'vm1', 'note.txt')).toString()).toBe('direct\n');
    }, 180_000);

    it('a direct transfer cut mid-stream is sent again from the common snapshot by the next run', async () => {
      const appliances = appliancesWith(hop);
      const base = (await snapshotsOf(dst)).at(-1)?.split('@')[1];
      const big = randomBytes(64 * 1024 * 1024);
      await writeFile(join(sites.mountpoint(src), 'vm1', 'big-flat.vmdk'), big);
      const snap = await createZfsSnapshotHandler(appliances)(
        { group: 'dr-vms', dataset: src },
        ctxFor('zfs.snapshot'),
      );
      const params = { ...pair(), snapshot: snap.snapshot, transport: 'direct' as const };
      // Once the appliance's own send and receive run, every SSH session drops: the agent's and the source
      // appliance's hop to the target.
      const cut = createZfsReplicateHandler(appliances)(params, ctxFor('zfs.replicate'));
      let settledEarly = false;
      void cut.then(
        () => {
          settledEarly = true;
        },
        () => {},
      );
      const deadline = Date.now() + 60_000;
      while ((await sites.transfers()).length < 2 && !settledEarly && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(settledEarly, 'the transfer ended before it was seen running: nothing was cut').toBe(false);
      // Cut at once: under load a 64 MiB stream can finish within a few hundred milliseconds of being seen.
      await sites.sshd.dropSessions();
      await expect(cut).rejects.toThrow();
      await sites.settle(60_000);
      expect((await snapshotsOf(dst)).at(-1)).toBe(`${dst}@${base}`);

      const again = await createZfsReplicateHandler(appliances)(params, ctxFor('zfs.replicate'));
      expect(again).toMatchObject({ kind: 'incremental', from: base, snapshot: snap.snapshot });
      expect(again.bytes).toBeGreaterThan(big.length * 0.9);
      expect(again.bytes).toBeLessThan(big.length + 8 * 1024 * 1024);
      expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'big-flat.vmdk'), big)).toBe(0);
    }, 300_000);
    it('progress in bytes arrives while a direct transfer runs (zfs-fuse: counted from the target)', async () => {
      const appliances = appliancesWith(hop);
      // zfs-fuse's `zfs send` has no `-v -P`: the agent falls back to the target's growth, polled.
      expect((await appliances.get('zfs-a').features()).sendProgress).toBe(false);
      const big = randomBytes(96 * 1024 * 1024);
      await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
      await writeFile(join(sites.mountpoint(src), 'vm1', 'progress-flat.vmdk'), big);
      const progress: string[] = [];
      const sent = await takeAndSend(appliances, progress, { directPollMs: 250 });
      // An increment after the tests above, the first full send when run alone: counted the same way.
      expect(sent).toMatchObject({ transport: 'direct', bytesFrom: 'target-used' });
      const counts = progress.flatMap((m) => {
        const c = /^sent (\d+) bytes \(\d+ KiB\/s, target grew, \d+ s\) zfs-a → zfs-b direct$/.exec(m);
        return c ? [Number(c[1])] : [];
      });
      expect(counts.length, progress.join('\n')).toBe(progress.length);
      expect(Math.max(0, ...counts), progress.join('\n')).toBeGreaterThan(0);
      // Counts only grow, and never run past what landed.
      expect([...counts].sort((a, b) => a - b)).toEqual(counts);
      expect(Math.max(...counts)).toBeLessThanOrEqual(sent.bytes + 8 * 1024 * 1024);
      // The last line is the count the transfer ended with, even when the stream ended between two polls.
      expect(counts.at(-1)).toBeGreaterThanOrEqual(sent.bytes);
    }, 300_000);
  },
);
