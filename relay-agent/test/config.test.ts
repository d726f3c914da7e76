import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentConfigInput } from '../src/config/config.schema';
import { ConfigError, parseConfig, resolveCredentials, resolveSigningKey } from '../src/config/load-config';
import { buildDevices } from '../src/devices/build-devices';
import { buildZfsAppliances } from '../src/zfs/build-zfs';

const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = (): AgentConfigInput => ({
  signingKey: 'k'.repeat(40),
  queues: { commandsUrl: 'https://sqs.example/commands.fifo', resultsUrl: 'https://sqs.example/results' },
  devices: {
    idracs: {
      ABC1234: {
        url: 'https://10.0.0.10',
        credentials: { username: 'root', password: 'calvin' },
        tls: { mode: 'pin', sha256: 'ab'.repeat(32) },
      },
    },
  },
});

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('agent configuration', () => {
  it('parses the example shipped in deploy/ (an operator starts from it)', () => {
    const example = JSON.parse(
      readFileSync(new URL('../deploy/config.example.json', import.meta.url), 'utf8'),
    );
    const cfg = parseConfig(example);
    expect(cfg.repository.hosts).toEqual(['repo.dc1.example']);
    expect(Object.keys(cfg.devices.idracs)).toEqual(['F54P1G3']);
    expect(Object.keys(cfg.zfs.sites)).toEqual(['nas-dc1', 'nas-dr']);
    expect(cfg.zfs.sites['nas-dr']?.port).toBe(22);
  });
  it('accepts a valid config and fills defaults', () => {
    const c = parseConfig(valid());
    expect(c.heartbeatSeconds).toBe(30);
    expect(c.concurrency).toEqual({ max: 16, perTarget: 1 });
    expect(c.devices.idracs.ABC1234?.tls).toEqual({ mode: 'pin', sha256: `${'AB:'.repeat(31)}AB` });
  });

  it('chooses the backup store: a folder, or an S3 bucket under a checked key prefix', () => {
    expect(parseConfig(valid()).backups).toBeUndefined();
    expect(parseConfig({ ...valid(), backups: { kind: 'folder', dir: '/srv/scp' } }).backups).toEqual({
      kind: 'folder',
      dir: '/srv/scp',
    });
    const s3 = { kind: 's3' as const, bucket: 'rackops-backups', region: 'eu-west-1' };
    expect(parseConfig({ ...valid(), backups: s3 }).backups).toEqual({
      ...s3,
      prefix: 'scp/',
      pathStyle: false,
    });
    for (const prefix of ['../x/', '/scp/', 'scp', 'a/../b/', 'scp//']) {
      expect(
        errorOf(() => parseConfig({ ...valid(), backups: { ...s3, prefix } })),
        prefix,
      ).toMatch(/backups\.prefix/);
    }
    expect(errorOf(() => parseConfig({ ...valid(), backups: { ...s3, bucket: 'Bad_Bucket' } }))).toMatch(
      /backups\.bucket/,
    );
    expect(errorOf(() => parseConfig({ ...valid(), backups: { kind: 'ftp' } as never }))).toMatch(/backups/);
  });

  it('names the bad field', () => {
    const cfg = valid();
    (cfg.devices.idracs as Record<string, unknown>).ABC1234 = {
      url: 'http://10.0.0.10',
      credentials: { username: 'root', password: 'x' },
      tls: { mode: 'pin', sha256: 'nope' },
    };
    const msg = errorOf(() => parseConfig(cfg));
    expect(msg).toContain('devices.idracs.ABC1234.url');
    expect(msg).toContain('devices.idracs.ABC1234.tls.sha256');
  });

  it('requires a TLS policy per device: insecure only when written explicitly', () => {
    const cfg = valid();
    (cfg.devices.idracs as Record<string, unknown>).ABC1234 = {
      url: 'https://10.0.0.10',
      credentials: { username: 'root', password: 'x' },
    };
    expect(errorOf(() => parseConfig(cfg))).toContain('devices.idracs.ABC1234.tls');
    (cfg.devices.idracs as Record<string, unknown>).ABC1234 = {
      url: 'https://10.0.0.10',
      credentials: { username: 'root', password: 'x' },
      tls: { mode: 'insecure' },
    };
    expect(parseConfig(cfg).devices.idracs.ABC1234?.tls.mode).toBe('insecure');
  });

  it('does not echo secrets in errors', () => {
    const cfg = { ...valid(), signingKey: 'short-secret' };
    const msg = errorOf(() => parseConfig(cfg));
    expect(msg).toContain('signingKey');
    expect(msg).not.toContain('short-secret');
  });

  it('applies environment overrides', () => {
    const c = parseConfig(valid(), {
      RELAY_COMMANDS_QUEUE_URL: 'https://other/commands.fifo',
      RELAY_SQS_ENDPOINT: 'http://127.0.0.1:4566',
      AWS_REGION: 'eu-west-1',
      RELAY_METRICS_PORT: 'off',
      RELAY_HEARTBEAT_SECONDS: '10',
    });
    expect(c.queues).toMatchObject({
      commandsUrl: 'https://other/commands.fifo',
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-1',
    });
    expect(c.metrics.port).toBeNull();
    expect(c.heartbeatSeconds).toBe(10);
  });

  it('reads credentials files only when mode 0600', () => {
    const file = join(dir, 'idrac.json');
    writeFileSync(file, JSON.stringify({ username: 'root', password: 'calvin' }));
    chmodSync(file, 0o644);
    const dev = {
      url: 'https://10.0.0.10',
      credentialsFile: file,
      tls: { mode: 'insecure' as const },
      maxSockets: 4,
    };
    expect(errorOf(() => resolveCredentials(dev, 'devices.idracs.X'))).toMatch(
      /devices\.idracs\.X\.credentialsFile: .* mode 644; it must be 600/,
    );
    chmodSync(file, 0o600);
    expect(resolveCredentials(dev, 'devices.idracs.X')).toEqual({ username: 'root', password: 'calvin' });
  });

  it('reads the signing key from a 0600 file', () => {
    const file = join(dir, 'key');
    writeFileSync(file, `${'s'.repeat(48)}\n`, { mode: 0o600 });
    const { signingKey: _k, ...rest } = valid();
    expect(resolveSigningKey(parseConfig({ ...rest, signingKeyFile: file }))).toBe('s'.repeat(48));
  });

  describe('zfs sites', () => {
    const fp = `SHA256:${'A'.repeat(43)}`;
    const withSite = (site: Record<string, unknown>): AgentConfigInput => ({
      ...valid(),
      zfs: { sites: { 'zfs-a': site as never } },
    });

    it('defaults to no sites: no zfs handlers and no zfs targets', () => {
      const c = parseConfig(valid());
      expect(c.zfs.sites).toEqual({});
      expect(buildZfsAppliances(c)).toBeUndefined();
      expect(buildDevices(c).has({ type: 'zfs', id: 'zfs-a' })).toBe(false);
    });

    it('accepts a site, fills port 22, and makes it a known zfs target', () => {
      const c = parseConfig(
        withSite({ host: 'nas1.dc1.example', user: 'rackops', keyFile: '/k', hostKeyFingerprint: fp }),
      );
      expect(c.zfs.sites['zfs-a']).toEqual({
        host: 'nas1.dc1.example',
        port: 22,
        user: 'rackops',
        keyFile: '/k',
        hostKeyFingerprint: fp,
        direct: {},
      });
      const devices = buildDevices(c);
      expect(devices.has({ type: 'zfs', id: 'zfs-a' })).toBe(true);
      expect(devices.has({ type: 'zfs', id: 'zfs-b' })).toBe(false);
    });

    it('names each bad field: host with a scheme, port, user, missing key file, fingerprint', () => {
      const msg = errorOf(() =>
        parseConfig(
          withSite({ host: 'ssh://nas1', port: 70_000, user: 'root; rm -rf /', hostKeyFingerprint: 'ab:cd' }),
        ),
      );
      for (const f of ['host', 'port', 'user', 'keyFile', 'hostKeyFingerprint'])
        expect(msg).toContain(`zfs.sites.zfs-a.${f}`);
      expect(msg).toContain('ssh-keygen -lf');
    });

    it('a direct hop names another configured appliance and has safe fields only', () => {
      const site = { host: 'nas1', user: 'rackops', keyFile: '/k', hostKeyFingerprint: fp };
      const hop = {
        host: '10.9.0.2',
        user: 'zrepl',
        identityFile: '/root/.ssh/dr',
        knownHostsFile: '/etc/rk/kh',
      };
      const c = parseConfig({
        ...valid(),
        zfs: { sites: { 'zfs-a': { ...site, direct: { 'zfs-b': hop } }, 'zfs-b': site } },
      });
      expect(c.zfs.sites['zfs-a']?.direct['zfs-b']).toEqual({ ...hop, port: 22 });
      const unknown = errorOf(() => parseConfig(withSite({ ...site, direct: { 'zfs-z': hop } })));
      expect(unknown).toContain('zfs.sites.zfs-a.direct.zfs-z');
      const bad = errorOf(() =>
        parseConfig({
          ...valid(),
          zfs: {
            sites: {
              'zfs-a': {
                ...site,
                direct: {
                  'zfs-b': {
                    host: '-oProxyCommand=id',
                    user: 'a b',
                    identityFile: 'k',
                    knownHostsFile: '/x;y',
                  },
                },
              },
              'zfs-b': site,
            },
          },
        }),
      );
      for (const f of ['host', 'user', 'identityFile', 'knownHostsFile'])
        expect(bad).toContain(`zfs.sites.zfs-a.direct.zfs-b.${f}`);
    });

    it('refuses an appliance id that is not a plain id', () => {
      const site = { host: 'nas1', user: 'rackops', keyFile: '/k', hostKeyFingerprint: fp };
      const msg = errorOf(() => parseConfig({ ...valid(), zfs: { sites: { '-rf': site } } }));
      expect(msg).toContain('zfs.sites');
      expect(msg).toContain('letters, digits');
    });

    it('refuses at start a key file other users can read, or one that is missing', () => {
      const key = join(dir, 'zfs_key');
      writeFileSync(key, 'not really a key\n');
      chmodSync(key, 0o640);
      const site = { host: '127.0.0.1', user: 'rackops', keyFile: key, hostKeyFingerprint: fp };
      expect(errorOf(() => buildZfsAppliances(parseConfig(withSite(site))))).toMatch(
        /zfs\.sites\.zfs-a\.keyFile: .* mode 640; it must be 600/,
      );
      chmodSync(key, 0o600);
      expect(buildZfsAppliances(parseConfig(withSite(site)))?.get('zfs-a').id).toBe('zfs-a');
      const missing = { ...site, keyFile: join(dir, 'absent') };
      expect(errorOf(() => buildZfsAppliances(parseConfig(withSite(missing))))).toContain(
        'zfs.sites.zfs-a.keyFile: cannot read',
      );
    });
  });
});
