import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile } from '../../src/config/load-config';

const dir = mkdtempSync(join(tmpdir(), 'relay-config-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const queues = {
  commandsUrl: 'https://sqs.example/commands.fifo',
  resultsUrl: 'https://sqs.example/results',
};
const device = (auth: Record<string, unknown>) => ({
  idracs: { ABC1234: { url: 'https://10.0.0.10', tls: { mode: 'pin', sha256: 'ab'.repeat(32) }, ...auth } },
});

function writeConfig(name: string, body: unknown, mode: number): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(body));
  chmodSync(file, mode);
  return file;
}

function refusal(file: string): string {
  try {
    loadConfigFile(file, {});
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`${file} was accepted`);
}

describe('security: config file mode', () => {
  const signingKey = 'k'.repeat(40);
  const keyFile = join(dir, 'relay.key');
  writeFileSync(keyFile, signingKey, { mode: 0o600 });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses an inline signing key in a config at mode %o', (mode) => {
    const file = writeConfig(
      `key-${mode}.json`,
      { signingKey, queues, devices: device({ credentialsFile: keyFile }) },
      mode,
    );
    const msg = refusal(file);
    expect(msg).toContain(file);
    expect(msg).toContain(mode.toString(8));
    expect(msg).toContain('signingKey');
    expect(msg).toContain('chmod 600');
    expect(msg).not.toContain(signingKey);
  });

  it('refuses inline device passwords in a config at mode 644', () => {
    const file = writeConfig(
      'passwords.json',
      {
        signingKeyFile: keyFile,
        queues,
        devices: device({ credentials: { username: 'root', password: 'calvin' } }),
      },
      0o644,
    );
    const msg = refusal(file);
    expect(msg).toContain('devices.idracs.ABC1234.credentials.password');
    expect(msg).not.toContain('calvin');
  });

  it('accepts the same config at mode 600', () => {
    const file = writeConfig(
      'private.json',
      { signingKey, queues, devices: device({ credentials: { username: 'root', password: 'calvin' } }) },
      0o600,
    );
    expect(loadConfigFile(file, {}).agentId).toBeDefined();
  });

  it('accepts a world-readable config that only names secret files', () => {
    const file = writeConfig(
      'public.json',
      { signingKeyFile: keyFile, queues, devices: device({ credentialsFile: keyFile }) },
      0o644,
    );
    expect(loadConfigFile(file, {}).signingKeyFile).toBe(keyFile);
  });
});
