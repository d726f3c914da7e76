import { startLoopbackDns } from '@rackops/lab/dns/loopback-dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUrlGuard, serversResolve } from '../../src/net/url-guard';
import { updateJobs } from '../helpers/lab-packages';
import { labPackage } from '../helpers/lab-packages';
import { RelayHarness } from '../helpers/relay-harness';
import { smallLab } from '../helpers/small-lab';

/** The agent's answer to a command: its result, or its rejection (params refused at the edge) as `malformed`. */
async function answer(h: RelayHarness, id: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    for (const m of h.messages) {
      if (m.type === 'result' && m.commandId === id) return m;
      if (m.type === 'rejected' && m.commandId === id)
        return { ok: false, error: { code: m.reason, message: m.detail ?? '' }, output: undefined };
    }
    if (Date.now() > deadline) throw new Error(`no answer to ${id}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Item 2 (SSRF through the iDRAC) and item 6's media URL secret, against the real agent and the lab. */
describe('outbound URLs the agent hands to an iDRAC', () => {
  let h: RelayHarness;
  const t = { type: 'idrac' as const, id: 'TEST001' };
  beforeAll(async () => {
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, control: false } },
      agent: (cfg) => ({
        ...cfg,
        media: {
          ...cfg.media,
          allowHosts: [...(cfg.media?.allowHosts ?? []), 'nas1.dc1.example'],
          credentials: { 'nas-iso': { credentials: { username: 'isoreader', password: 'nas-s3cret' } } },
        },
      }),
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const cd = () => h.lab.world.host('TEST001').virtualMedia.CD;
  const insert = async (params: Record<string, unknown>) =>
    answer(h, (await h.send(h.envelope('media.insert', t, params))).id);

  it.each([
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/iam/', 'malformed'],
    ['metadata in decimal', 'https://2852039166/latest/', 'malformed'],
    ['AWS IPv6 metadata', 'https://[fd00:ec2::254]/latest/', 'malformed'],
    ['loopback by name', 'https://localhost/x.iso', 'url_refused'],
    ['a private address', 'https://10.20.0.5/x.iso', 'url_refused'],
    ['nfs anywhere', 'nfs://files.elsewhere.example/export/x.iso', 'url_refused'],
    ['cifs anywhere', 'cifs://files.elsewhere.example/share/x.iso', 'url_refused'],
    ['http', 'http://images.example/x.iso', 'malformed'],
    ['file', 'file:///etc/shadow', 'malformed'],
    ['a password in the URL', 'https://admin:hunter2@images.example/x.iso', 'malformed'],
  ])('media.insert refuses %s and the iDRAC is not touched', async (_name, image, code) => {
    const r = await insert({ image });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe(code);
    expect(cd().inserted).toBe(false);
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('an allow-listed nfs host with a named login: the login goes in the action, not the URL or the result', async () => {
    const image = 'nfs://nas1.dc1.example/export/esxi.iso';
    const r = await insert({ image, credentialsRef: 'nas-iso' });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.output).toMatchObject({ inserted: true, image, changed: true });
    expect(cd().userName).toBe('isoreader');
    expect(JSON.stringify(r)).not.toContain('nas-s3cret');
    await h.waitForResult((await h.send(h.envelope('media.eject', t, {}))).id, 20_000);
  });

  it('an unknown credentials name is refused before the iDRAC is asked', async () => {
    const r = await insert({ image: 'nfs://nas1.dc1.example/export/esxi.iso', credentialsRef: 'nope' });
    expect(r.ok).toBe(false);
    expect(r.error?.message).toMatch(/media.credentials has no entry "nope"/);
    expect(cd().inserted).toBe(false);
  });

  it('output.image never echoes credentials a device reports back', async () => {
    const image = 'nfs://nas1.dc1.example/export/esxi.iso';
    Object.assign(cd(), {
      inserted: true,
      image: 'nfs://isoreader:nas-s3cret@nas1.dc1.example/export/old.iso',
      connectedVia: 'URI',
    });
    const r = await insert({ image });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(JSON.stringify(r.output)).not.toContain('nas-s3cret');
    await h.waitForResult((await h.send(h.envelope('media.eject', t, {}))).id, 20_000);
  });

  it.each([
    ['http', (u: string) => u.replace(/^https:/, 'http:'), 'malformed'],
    ['file', () => 'file:///var/lib/rackops-relay/ledger.sqlite', 'malformed'],
    [
      'a host off repository.hosts',
      (u: string) => u.replace(/^https:\/\/[^/]+/, 'https://evil.example'),
      'url_refused',
    ],
    ['metadata', () => 'https://169.254.169.254/latest/BIOS.EXE', 'malformed'],
  ])('firmware.stage refuses %s package URLs and no update job is created', async (_n, mutate, code) => {
    const pkg = labPackage(h.lab, '159');
    const before = updateJobs(h.lab, 'TEST001').length;
    for (const transfer of ['simple', 'multipart']) {
      const env = await h.send(
        h.envelope('firmware.stage', t, { packages: [{ ...pkg, url: mutate(pkg.url) }], transfer }),
      );
      const r = await answer(h, env.id);
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe(code);
    }
    expect(updateJobs(h.lab, 'TEST001')).toHaveLength(before);
  });
});

describe('names that resolve somewhere forbidden (real DNS on loopback)', () => {
  let dns: Awaited<ReturnType<typeof startLoopbackDns>>;
  beforeAll(async () => {
    dns = await startLoopbackDns({
      'images.example': ['93.184.216.34'],
      'meta.attacker.example': ['169.254.169.254'],
      'mixed.attacker.example': ['93.184.216.34', '127.0.0.1'],
      'mapped.attacker.example': ['::ffff:169.254.169.254'],
      'nas1.dc1.example': ['10.1.1.1'],
    });
  });
  afterAll(async () => {
    await dns?.close();
  });
  const guard = () =>
    createUrlGuard({ mediaHosts: ['nas1.dc1.example'], firmwareHosts: [] }, serversResolve([dns.server]));

  it.each([
    'https://meta.attacker.example/latest/',
    'https://mixed.attacker.example/x.iso',
    'https://mapped.attacker.example/x.iso',
    'https://nxdomain.attacker.example/x.iso',
  ])('%s is refused (url_refused)', async (url) => {
    await expect(guard().check(url, 'virtual-media')).rejects.toMatchObject({ code: 'url_refused' });
  });

  it('a public name, and an allow-listed share on a private address, pass; the same name mixed with loopback does not', async () => {
    await expect(guard().check('https://mixed.attacker.example/x.iso', 'virtual-media')).rejects.toThrow(
      /resolves to 127.0.0.1/,
    );
    await expect(guard().check('https://images.example/x.iso', 'virtual-media')).resolves.toBeInstanceOf(URL);
    await expect(guard().check('nfs://nas1.dc1.example/e/x.iso', 'virtual-media')).resolves.toBeInstanceOf(
      URL,
    );
  });
});
