import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentConfigInput } from '../src/config/config.schema';
import { ConfigError, parseConfig, resolveCredentials, resolveSigningKey } from '../src/config/load-config';

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
  });
  it('accepts a valid config and fills defaults', () => {
    const c = parseConfig(valid());
    expect(c.heartbeatSeconds).toBe(30);
    expect(c.concurrency).toEqual({ max: 16, perTarget: 1 });
    expect(c.devices.idracs.ABC1234?.tls).toEqual({ mode: 'pin', sha256: `${'AB:'.repeat(31)}AB` });
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
});
