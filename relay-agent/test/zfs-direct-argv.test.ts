import { writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@rackops/core/util/errors';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../src/commands/command-context';
import { createZfsReplicateHandler } from '../src/commands/zfs-replication.handlers';
import { type DirectHopInput, directPipelineCommand } from '../src/zfs/direct-hop';
import { createZfsAppliances } from '../src/zfs/zfs-appliance';
import { startTripwire } from './helpers/tripwire';

const hop: DirectHopInput = {
  host: '10.9.0.2',
  port: 2222,
  user: 'zrepl',
  identityFile: '/root/.ssh/dr_ed25519',
  knownHostsFile: '/etc/rackops/known_hosts.dr',
};
const send = { verb: 'send', dataset: 'tank/vm', tag: 's2', from: 's1' } as const;
const receive = { verb: 'receive', dataset: 'dr/vm', incremental: true } as const;

describe('direct transfer pipeline: one command line for the source appliance', () => {
  it('is built from the allow-listed argv, each word quoted, the receive quoted once more for the hop', () => {
    const { command } = directPipelineCommand({ send, receive, hop });
    expect(command).toBe(
      "'zfs' 'send' '-i' '@s1' 'tank/vm@s2' | 'ssh' '-o' 'BatchMode=yes' '-o' 'StrictHostKeyChecking=yes' " +
        "'-o' 'UserKnownHostsFile=/etc/rackops/known_hosts.dr' '-o' 'GlobalKnownHostsFile=/dev/null' " +
        "'-o' 'IdentitiesOnly=yes' '-o' 'ForwardAgent=no' '-o' 'ClearAllForwardings=yes' " +
        "'-o' 'ConnectTimeout=30' '-o' 'ServerAliveInterval=30' '-o' 'ServerAliveCountMax=4' " +
        "'-i' '/root/.ssh/dr_ed25519' '-p' '2222' '-l' 'zrepl' '--' '10.9.0.2' " +
        `''\\''zfs'\\'' '\\''receive'\\'' '\\''-F'\\'' '\\''dr/vm'\\'''`,
    );
  });

  const injections: [string, Record<string, unknown>][] = [
    ['host with ;', { hop: { ...hop, host: '10.9.0.2; rm -rf /' } }],
    ['host as an ssh option', { hop: { ...hop, host: '-oProxyCommand=id' } }],
    ['host with $()', { hop: { ...hop, host: '$(id)' } }],
    ['user with a space', { hop: { ...hop, user: 'zrepl -oProxyCommand=id' } }],
    ['user with backticks', { hop: { ...hop, user: '`id`' } }],
    ['port out of range', { hop: { ...hop, port: 70_000 } }],
    ['port as text', { hop: { ...hop, port: '22; id' } }],
    ['identity file relative', { hop: { ...hop, identityFile: 'id_ed25519' } }],
    ['identity file with $()', { hop: { ...hop, identityFile: '/tmp/$(id)' } }],
    ['identity file with ..', { hop: { ...hop, identityFile: '/etc/../root/key' } }],
    ['known_hosts with a quote', { hop: { ...hop, knownHostsFile: "/tmp/kh' ; id '" } }],
    ['known_hosts with a space', { hop: { ...hop, knownHostsFile: '/tmp/k h' } }],
    ['source dataset with ;', { send: { ...send, dataset: 'tank/vm; rm -rf /' } }],
    ['snapshot with $()', { send: { ...send, tag: '$(reboot)' } }],
    ['base snapshot as an option', { send: { ...send, from: '-R' } }],
    ['target dataset with a space', { receive: { ...receive, dataset: 'dr/vm x' } }],
    ['target dataset as an option', { receive: { ...receive, dataset: '-o' } }],
  ];
  it.each(injections)('refuses %s', (_what, change) => {
    expect(() => directPipelineCommand({ send, receive, hop, ...change } as never)).toThrow(ValidationError);
  });
});

describe('zfs.replicate in direct mode refuses a bad hop or name before any SSH connection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rk-direct-'));
  let wire: Awaited<ReturnType<typeof startTripwire>>;
  beforeAll(async () => {
    wire = await startTripwire();
    await writeFile(join(dir, 'key'), 'not a key\n', { mode: 0o600 });
  });
  afterAll(async () => {
    await wire.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (): CommandContext => ({
    commandId: 'c1',
    kind: 'zfs.replicate',
    target: { type: 'zfs', id: 'zfs-a' },
    jobId: undefined,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    attempt: 1,
    pollIntervalMs: 100,
    progress: async () => {},
    memo: { get: () => undefined, set: () => {} },
    sleep: async () => {},
    now: () => new Date(),
  });
  const handler = (direct: Record<string, DirectHopInput>) => {
    const ep = {
      host: '127.0.0.1',
      port: Number(new URL(wire.url).port),
      username: 'rackops',
      privateKeyPath: join(dir, 'key'),
      hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`,
    };
    return createZfsReplicateHandler(createZfsAppliances({ 'zfs-a': { ...ep, direct }, 'zfs-b': ep }));
  };
  const params = {
    group: 'prod-vms',
    sourceDataset: 'tank/vm',
    targetAppliance: 'zfs-b',
    targetDataset: 'dr/vm',
    snapshot: 'rackops-prod-vms-20261206T120000Z',
    transport: 'direct' as const,
  };

  it.each([
    ['host', { ...hop, host: 'dr; rm -rf /' }],
    ['user', { ...hop, user: '$(id)' }],
    ['identity file', { ...hop, identityFile: '/k ey' }],
    ['known_hosts file', { ...hop, knownHostsFile: "/kh'" }],
  ])('a hop with a bad %s', async (_f, bad) => {
    await expect(handler({ 'zfs-b': bad })(params, ctx())).rejects.toThrow(ValidationError);
    expect(wire.connections()).toBe(0);
  });

  it('a dataset name with a shell character, or no hop configured for the pair', async () => {
    await expect(handler({ 'zfs-b': hop })({ ...params, targetDataset: 'dr/vm;id' }, ctx())).rejects.toThrow(
      ValidationError,
    );
    await expect(handler({})(params, ctx())).rejects.toThrow(/no hop from zfs-a to zfs-b/);
    expect(wire.connections()).toBe(0);
  });
});
