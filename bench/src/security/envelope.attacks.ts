import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@rackops/core/ports/clock.port';
import { CommandKind, CommandParams } from '@rackops/core/relay/commands';
import { type Envelope, type UnsignedEnvelope, signEnvelope } from '@rackops/core/relay/envelope';
import type { Keyring } from '@rackops/core/relay/keyring';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { startLab } from '@rackops/lab/index';
import { smallLab } from '@rackops/lab/testing/small-lab';
import { labDevices, labOutboundHosts } from '@rackops/local/runtime/in-process-agent';
import { createHandlers } from '@rackops/relay-agent/commands/registry';
import { parseConfig } from '@rackops/relay-agent/config/load-config';
import { buildDevices } from '@rackops/relay-agent/devices/build-devices';
import { createPackageFetcher } from '@rackops/relay-agent/devices/package-fetcher';
import { Ledger } from '@rackops/relay-agent/ledger/ledger';
import { createOutbound } from '@rackops/relay-agent/net/outbound';
import { createMetrics } from '@rackops/relay-agent/metrics/metrics';
import { createCommandProcessor } from '@rackops/relay-agent/protocol/command-processor';
import { pino } from 'pino';
import type { AttackCatalogue, AttackOutcome } from './attack';
import { FolderBackupStore } from '@rackops/relay-agent/scp/folder-backup-store';

const AREA = 'envelope';
const KEYS: Keyring = {
  activeKid: 'k2',
  keys: {
    k1: 'bench-envelope-key-one-0123456789abcdef-01',
    k2: 'bench-envelope-key-two-0123456789abcdef-02',
  },
};

/**
 * Someone who can put messages on the commands queue (or a confused cloud) tries to make the agent act:
 * forged, unsigned, re-keyed, tampered, expired, long-lived, future-dated, oversized, malformed and replayed
 * commands, against the real command processor with the lab's devices and a tripwire iDRAC. Refused = the
 * processor acknowledged the message with a `rejected` answer, recorded nothing in its ledger, sent no
 * result, and the tripwire saw no connection.
 */
export const run: AttackCatalogue = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-envelope-'));
  const lab = await startLab(smallLab(1), {
    timeScale: 1 / 6000,
    services: { vcenter: false, ome: false, catalog: false, control: false },
  });
  const sockets = new Set<Socket>();
  let connections = 0;
  const wire = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.destroy();
  });
  await new Promise<void>((r) => wire.listen(0, '127.0.0.1', r));
  const wirePort = (wire.address() as { port: number }).port;
  const config = parseConfig({
    agentId: 'bench-envelope',
    signingKeys: KEYS.keys,
    activeKid: KEYS.activeKid,
    queues: { commandsUrl: 'unused', resultsUrl: 'unused' },
    ledgerPath: join(dir, 'ledger.sqlite'),
    metrics: { port: null },
    pollIntervalMs: 20,
    http: { timeoutMs: 2000, retries: 1, retryBaseMs: 10 },
    repository: { hosts: labOutboundHosts(lab) },
    media: { allowHosts: labOutboundHosts(lab) },
    devices: {
      ...labDevices(lab),
      idracs: {
        ...labDevices(lab).idracs,
        WIRE001: {
          url: `https://127.0.0.1:${wirePort}`,
          credentials: { username: 'u', password: 'p' },
          tls: { mode: 'insecure' },
        },
      },
    },
  });
  const ledger = new Ledger(config.ledgerPath);
  const devices = buildDevices(config);
  const sent: RelayMessage[] = [];
  const processor = createCommandProcessor({
    keys: KEYS,
    maxBodyBytes: config.maxBodyBytes,
    limits: {
      clockSkewSeconds: config.clockSkewSeconds,
      maxLifetimeSeconds: config.maxCommandLifetimeSeconds,
    },
    ledger,
    sink: { send: async (m) => void sent.push(m) },
    devices,
    handlers: createHandlers({
      devices,
      fetchPackage: createPackageFetcher({ mode: 'pin', sha256: lab.tls.certSha256 }, 10_000),
      backups: new FolderBackupStore(join(dir, 'scp'), config.agentId),
      outbound: createOutbound(config),
    }),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    progressSeconds: 5,
    progressMinGapMs: 1000,
    pollIntervalMs: 20,
  });
  const outcomes: AttackOutcome[] = [];
  let seq = 0;
  const wired = { type: 'idrac' as const, id: 'WIRE001' };
  const unsigned = (over: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope => {
    const now = Date.now();
    return {
      v: 1,
      id: `atk-${++seq}-${now}`,
      kind: 'host.power',
      target: wired,
      params: { action: 'ForceOff' },
      taskToken: `token-${seq}`,
      jobId: 'job-atk',
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      ...over,
    };
  };
  const sign = (u: UnsignedEnvelope, keys: Keyring = KEYS): Envelope => signEnvelope(u, keys);

  const attack = async (name: string, body: unknown, expect?: string) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const id =
      typeof body === 'object' && body !== null && 'id' in body ? String((body as { id: unknown }).id) : '';
    const before = { sent: sent.length, connections };
    let refused = false;
    let detail: string;
    try {
      const disposition = await processor.handle(text, new AbortController().signal);
      const answers = sent.slice(before.sent);
      const rejected = answers.find((m) => m.type === 'rejected');
      const acted = answers.filter((m) => m.type !== 'rejected');
      const inLedger = id !== '' && ledger.get(id) !== undefined;
      const touched = connections - before.connections;
      refused =
        disposition === 'ack' && rejected !== undefined && acted.length === 0 && !inLedger && touched === 0;
      if (refused && expect && rejected?.type === 'rejected' && rejected.reason !== expect) refused = false;
      detail =
        rejected?.type === 'rejected'
          ? `rejected: ${rejected.reason}${refused ? '' : ` (wanted ${expect}; acted=${acted.length} ledger=${inLedger} device connections=${touched})`}`
          : `not rejected: ${disposition}, ${acted.map((m) => m.type).join(',')}, ledger=${inLedger}, connections=${touched}`;
    } catch (err) {
      detail = `threw: ${(err as Error).message}`;
    }
    outcomes.push({ area: AREA, name, refused, detail });
  };

  try {
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const day = 86_400_000;
    // Lifetimes no command needs.
    for (const [what, life] of [
      ['75 years', 75 * 365 * day],
      ['10 years', 10 * 365 * day],
      ['a year', 365 * day],
      ['a week', 7 * day],
      ['2 days', 2 * day],
      ['24 h + 1 s', day + 1000],
    ] as const)
      await attack(
        `lifetime of ${what}`,
        sign(unsigned({ issuedAt: at(0), expiresAt: at(life) })),
        'bad_lifetime',
      );
    for (const [what, issued, expires] of [
      ['issued after it expires', 60_000, 30_000],
      ['issued when it expires', 30_000, 30_000],
      ['issued an hour after it expired', -60_000, -3_600_000],
    ] as const)
      await attack(what, sign(unsigned({ issuedAt: at(issued), expiresAt: at(expires) })), 'bad_lifetime');
    // Issued in the future, beyond the skew.
    for (const [what, ms] of [
      ['301 s ahead', 301_000],
      ['10 min ahead', 600_000],
      ['1 h ahead', 3_600_000],
      ['1 day ahead', day - 60_000],
      ['10 years ahead', 10 * 365 * day],
    ] as const)
      await attack(
        `issued ${what}`,
        sign(unsigned({ issuedAt: at(ms), expiresAt: at(ms + 60_000) })),
        'issued_in_future',
      );
    // Expired.
    for (const [what, ms] of [
      ['a second ago', -1000],
      ['an hour ago', -3_600_000],
      ['a year ago', -365 * day],
      ['at the epoch', -now],
    ] as const)
      await attack(
        `expired ${what}`,
        sign(unsigned({ issuedAt: at(ms - 60_000), expiresAt: at(ms) })),
        'expired',
      );
    // Keys.
    for (const kid of ['k0', 'k3', 'default', 'K2', 'old', 'root', 'admin', '0', 'k2.k2', 'k_2']) {
      await attack(
        `unknown key id "${kid}" (signed with a real key)`,
        sign(unsigned(), {
          activeKid: kid,
          keys: { [kid]: KEYS.keys.k2 as string },
        }),
        'unknown_key',
      );
    }
    for (let i = 0; i < 10; i++) {
      const guessed: Keyring = {
        activeKid: i % 2 ? 'k1' : 'k2',
        keys: { [i % 2 ? 'k1' : 'k2']: `guess-${i}-${'g'.repeat(32)}` },
      };
      await attack(`forged with a guessed key #${i}`, sign(unsigned(), guessed), 'bad_signature');
    }
    const good = sign(unsigned());
    await attack(
      'kid swapped to the other accepted key',
      { ...sign(unsigned()), kid: 'k1' },
      'bad_signature',
    );
    const tampers: [string, (e: Envelope) => Record<string, unknown>][] = [
      ['params changed', (e) => ({ ...e, params: { action: 'On' } })],
      ['param added', (e) => ({ ...e, params: { ...e.params, extra: 1 } })],
      ['target changed', (e) => ({ ...e, target: { type: 'idrac', id: 'TEST001' } })],
      ['kind changed', (e) => ({ ...e, kind: 'host.apply-and-reboot' })],
      ['task token changed', (e) => ({ ...e, taskToken: 'another' })],
      ['job changed', (e) => ({ ...e, jobId: 'job-other' })],
      ['expiry extended', (e) => ({ ...e, expiresAt: at(2 * 3_600_000) })],
      ['issue time moved', (e) => ({ ...e, issuedAt: at(-1000) })],
      ['id changed', (e) => ({ ...e, id: `${e.id}-x` })],
      ['signature zeroed', (e) => ({ ...e, sig: '0'.repeat(64) })],
      ['signature upper-cased', (e) => ({ ...e, sig: e.sig.toUpperCase() })],
      ['signature truncated', (e) => ({ ...e, sig: e.sig.slice(1) })],
    ];
    for (const [what, change] of tampers) await attack(`tampered: ${what}`, change(sign(unsigned())));
    // Unsigned.
    for (const kind of [
      'host.power',
      'host.apply-and-reboot',
      'media.insert',
      'scp.export',
      'firmware.stage',
    ] as const) {
      const { sig: _s, ...rest } = sign(unsigned({ kind }));
      await attack(`unsigned ${kind}`, rest, 'unsigned');
    }
    // Size: refused before parsing.
    for (const kb of [65, 100, 240, 1024]) {
      await attack(
        `${kb} KB of unknown params`,
        sign(unsigned({ params: { action: 'On', junk: 'x'.repeat(kb * 1024) } })),
        'too_large',
      );
    }
    await attack('a 2 MB string that is not even JSON', 'x'.repeat(2 * 1024 * 1024), 'too_large');
    await attack(
      'deeply nested params over the limit',
      `{"params":${'['.repeat(40_000)}${']'.repeat(40_000)}}`,
      'too_large',
    );
    // Malformed.
    for (const [what, body] of [
      ['not JSON', '{nope'],
      ['null', 'null'],
      ['an array', '[1,2]'],
      ['a number', '7'],
      ['a string', '"cmd"'],
      ['empty object with a sig', { sig: good.sig }],
    ] as const)
      await attack(`malformed: ${what}`, body);
    for (const [what, change] of [
      ['protocol v2', { v: 2 }],
      ['an id of 129 chars', { id: 'i'.repeat(129) }],
      ['an empty id', { id: '' }],
      ['an unknown kind', { kind: 'shell.exec' }],
      ['an unknown target type', { target: { type: 'bmc', id: 'WIRE001' } }],
      ['a target id of 201 chars', { target: { type: 'idrac', id: 'w'.repeat(201) } }],
      ['params as a list', { params: [] }],
      ['issuedAt not a time', { issuedAt: 'yesterday' }],
      ['expiresAt not a time', { expiresAt: 'never' }],
      ['a 9 KB task token', { taskToken: 't'.repeat(9000) }],
      ['a key id with a space', { kid: 'k 2' }],
      ['a key id of 65 chars', { kid: 'k'.repeat(65) }],
    ] as const)
      await attack(`malformed: ${what}`, { ...sign(unsigned()), ...change });
    // Well signed, but about what this agent does not hold or allow.
    for (const target of [
      { type: 'idrac', id: 'NOPE001' },
      { type: 'vcenter', id: 'vc-evil' },
      { type: 'ome', id: 'ome-evil' },
      { type: 'zfs', id: 'pool' },
    ] as const)
      await attack(
        `unknown target ${target.type}:${target.id}`,
        sign(unsigned({ target, kind: 'host.state', params: { hostId: target.id } })),
        'unknown_target',
      );
    // Kinds whose params have required fields, sent without them.
    for (const kind of CommandKind.options.filter((k) => !CommandParams[k].safeParse({}).success))
      await attack(
        `${kind} without its params`,
        sign(unsigned({ kind, params: { '': { nope: [1] } } })),
        'malformed',
      );
    // Replay: a command id that already ran, re-signed with other params.
    const real = sign(
      unsigned({
        kind: 'host.state',
        target: { type: 'idrac', id: 'TEST001' },
        params: { hostId: 'TEST001' },
      }),
    );
    await processor.handle(JSON.stringify(real), new AbortController().signal);
    const { sig: _sig, kid: _kid, ...realUnsigned } = real;
    for (const [what, params] of [
      ['power off', { action: 'ForceOff' }],
      ['power cycle', { action: 'PowerCycle' }],
      ['same params, new signature time', { hostId: 'TEST001' }],
    ] as const) {
      const replay = sign({
        ...realUnsigned,
        kind: what.startsWith('power') ? 'host.power' : 'host.state',
        params,
        issuedAt: at(1000),
      } as UnsignedEnvelope);
      const before = { sent: sent.length, connections };
      const disposition = await processor.handle(JSON.stringify(replay), new AbortController().signal);
      const answers = sent.slice(before.sent);
      const rejected = answers.find((m) => m.type === 'rejected');
      const refused =
        disposition === 'ack' &&
        rejected?.type === 'rejected' &&
        rejected.reason === 'replayed' &&
        answers.length === 1;
      outcomes.push({
        area: AREA,
        name: `replayed id: ${what}`,
        refused,
        detail: rejected?.type === 'rejected' ? `rejected: ${rejected.reason}` : 'not rejected',
      });
    }
  } finally {
    await devices.close();
    ledger.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => wire.close(() => r()));
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return outcomes;
};
