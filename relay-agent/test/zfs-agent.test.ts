import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyRelayMessage } from '@rackops/core/relay/message-signature';
import { ZfsCommandOutputs } from '@rackops/core/relay/zfs-commands';
import {
  type ZfsSites,
  ZFS_SITES_WAIT_MS,
  startZfsSites,
  zfsSitesUnavailable,
} from '@rackops/lab/zfs/zfs-sites';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config';
import { resolveSigningKeys } from '../src/config/signing-keys';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

const unavailable = zfsSitesUnavailable();
if (unavailable) console.warn(`ZFS agent tests skipped: ${unavailable}`);

/**
 * zfs.* commands through the agent's own path: a signed envelope on the commands queue, the ledger, the
 * handler over SSH to real zfs-fuse, a signed result on the results queue. The appliances come from the
 * agent's `zfs.sites` config, as in production.
 */
describe.skipIf(unavailable !== undefined)('zfs commands through the relay agent (real zfs-fuse)', () => {
  let sites: ZfsSites;
  let h: RelayHarness;
  let src: string;
  let dst: string;
  const target = { type: 'zfs' as const, id: 'nas-src' };

  beforeAll(async () => {
    sites = await startZfsSites();
    src = `${sites.sourcePool}/vmstore`;
    dst = `${sites.targetPool}/vmstore`;
    await sites.zfs('create', src);
    const site = {
      host: sites.sshd.host,
      port: sites.sshd.port,
      user: sites.sshd.username,
      keyFile: sites.sshd.clientKeyPath,
      hostKeyFingerprint: sites.sshd.hostKeyFingerprint,
    };
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
      agent: (cfg) => ({ ...cfg, zfs: { sites: { 'nas-src': site, 'nas-dst': site } } }),
    });
  }, ZFS_SITES_WAIT_MS + 120_000); // may wait for another file's ZFS sites to close (machine-lock.ts)
  afterAll(async () => {
    await h?.stop();
    await sites?.close();
  }, 150_000);

  const signedResult = async (id: string) => {
    const r = await h.waitForResult(id, 60_000);
    const keys = resolveSigningKeys(parseConfig(h.config));
    expect(verifyRelayMessage(r, keys, new Date())).toMatchObject({ ok: true });
    return r;
  };

  it('zfs.snapshot then zfs.replicate: signed results, the file byte-identical on the target', async () => {
    await mkdir(join(sites.mountpoint(src), 'vm1'), { recursive: true });
    const data = randomBytes(1024 * 1024);
    await writeFile(join(sites.mountpoint(src), 'vm1', 'vm1-flat.vmdk'), data);

    const snapEnv = await h.send(h.envelope('zfs.snapshot', target, { group: 'prod-vms', dataset: src }));
    const snapResult = await signedResult(snapEnv.id);
    expect(snapResult.ok).toBe(true);
    const snap = ZfsCommandOutputs['zfs.snapshot'].parse(snapResult.output);
    expect(snap.created).toBe(true);
    expect(snap.snapshot).toMatch(/^rackops-prod-vms-/);

    const pair = { group: 'prod-vms', sourceDataset: src, targetAppliance: 'nas-dst', targetDataset: dst };
    const repEnv = await h.send(h.envelope('zfs.replicate', target, { ...pair, snapshot: snap.snapshot }));
    const repResult = await signedResult(repEnv.id);
    expect(repResult.ok).toBe(true);
    const rep = ZfsCommandOutputs['zfs.replicate'].parse(repResult.output);
    expect(rep).toMatchObject({ kind: 'full', snapshot: snap.snapshot });
    expect(rep.bytes).toBeGreaterThan(data.length);
    const copy = await sites.readFresh(dst, 'vm1', 'vm1-flat.vmdk');
    expect(Buffer.compare(copy, data)).toBe(0);

    // The same envelope delivered again (an SQS redelivery): the ledger answers, nothing is sent twice.
    await h.sendRaw(JSON.stringify(repEnv), 'zfs:nas-src');
    await h.waitFor('a second result of the replayed command', () => h.results(repEnv.id)[1], 60_000);
    // The ledger's recorded answer, not a second run: same output, and one snapshot on the target.
    expect(h.results(repEnv.id)[1]?.output).toEqual(repResult.output);
    const onTarget = (await sites.zfs('list', '-H', '-t', 'snapshot', '-o', 'name', '-r', dst)).trim();
    expect(onTarget.split('\n')).toEqual([`${dst}@${snap.snapshot}`]);
  }, 180_000);

  it('the next run through the agent is an increment from the common snapshot', async () => {
    const changed = randomBytes(64 * 1024);
    await writeFile(join(sites.mountpoint(src), 'vm1', 'vm1.nvram'), changed);
    const snapEnv = await h.send(h.envelope('zfs.snapshot', target, { group: 'prod-vms', dataset: src }));
    const snap = ZfsCommandOutputs['zfs.snapshot'].parse((await signedResult(snapEnv.id)).output);
    const pair = { group: 'prod-vms', sourceDataset: src, targetAppliance: 'nas-dst', targetDataset: dst };
    const repEnv = await h.send(h.envelope('zfs.replicate', target, { ...pair, snapshot: snap.snapshot }));
    const repResult = await signedResult(repEnv.id);
    expect(repResult.ok).toBe(true);
    const rep = ZfsCommandOutputs['zfs.replicate'].parse(repResult.output);
    expect(rep.kind).toBe('incremental');
    expect(rep.from).toMatch(/^rackops-prod-vms-/);
    expect(rep.from).not.toBe(snap.snapshot);
    expect(rep.bytes).toBeLessThan(1024 * 1024);
    expect(Buffer.compare(await sites.readFresh(dst, 'vm1', 'vm1.nvram'), changed)).toBe(0);
  }, 180_000);

  it('zfs.features answers the appliance CLI abilities as a signed result', async () => {
    const env = await h.send(h.envelope('zfs.features', target, {}));
    const r = await signedResult(env.id);
    expect(ZfsCommandOutputs['zfs.features'].parse(r.output)).toMatchObject({
      version: 'legacy',
      resumableReceive: false,
    });
  }, 60_000);

  it('an appliance the config does not name is refused as an unknown target, before any SSH', async () => {
    const env = await h.send(
      h.envelope('zfs.snapshot', { type: 'zfs', id: 'nas-elsewhere' }, { group: 'prod-vms', dataset: src }),
    );
    const r = await h.waitFor(`rejection of ${env.id}`, () =>
      h.messages.find((m) => m.type === 'rejected' && m.commandId === env.id),
    );
    expect(r).toMatchObject({ type: 'rejected', reason: 'unknown_target' });
  }, 60_000);
});
