import { type Envelope, type UnsignedEnvelope, signEnvelope } from '@rackops/core/relay/envelope';
import type { Keyring } from '@rackops/core/relay/keyring';
import { verifyRelayMessage } from '@rackops/core/relay/message-signature';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess } from '../helpers/agent-process';
import { RelayHarness, SIGNING_KEY } from '../helpers/relay-harness';
import { smallLab } from '../helpers/small-lab';
import { startTripwire } from '../helpers/tripwire';

// The agent mid-rotation: it accepts `old` and `new`, and signs with `new`.
const RING: Keyring = {
  activeKid: 'new',
  keys: { old: SIGNING_KEY, new: 'the-new-relay-signing-key-0123456789abcdef' },
};
const OLD_ONLY: Keyring = { activeKid: 'old', keys: { old: SIGNING_KEY } };
const ATTACKER: Keyring = { activeKid: 'spare', keys: { spare: 'attacker-key-attacker-key-attacker-key!!' } };

describe('relay agent: envelope limits, key ids and signed messages', () => {
  let h: RelayHarness;
  let wire: Awaited<ReturnType<typeof startTripwire>>;
  const wired = { type: 'idrac' as const, id: 'WIRE001' };
  const real = { type: 'idrac' as const, id: 'TEST001' };

  beforeAll(async () => {
    wire = await startTripwire();
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
      agent: (cfg) => {
        const { signingKey: _k, ...rest } = cfg;
        return {
          ...rest,
          signingKeys: RING.keys,
          activeKid: RING.activeKid,
          heartbeatSeconds: 1,
          http: { timeoutMs: 2000, retries: 1, retryBaseMs: 10 },
          devices: {
            ...cfg.devices,
            idracs: {
              ...cfg.devices.idracs,
              WIRE001: {
                url: wire.url,
                credentials: { username: 'u', password: 'p' },
                tls: { mode: 'insecure' },
              },
            },
          },
        };
      },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await wire?.close();
  });

  /** A command as the harness builds it, re-signed with `keys` after `change`. */
  const command = (
    target: typeof wired,
    keys: Keyring,
    change: Partial<UnsignedEnvelope> = {},
    kind: Envelope['kind'] = 'inventory.idrac',
  ): Envelope => {
    const { sig: _s, kid: _k, ...unsigned } = h.envelope(kind, target, {});
    return signEnvelope({ ...unsigned, ...change }, keys);
  };
  const rejectedFor = (id: string) =>
    h.waitFor(`rejection of ${id}`, () =>
      h.messages.find((m) => m.type === 'rejected' && m.commandId === id),
    );

  it('refuses a command claiming a 75-year lifetime (bad_lifetime), touching no device', async () => {
    const now = Date.now();
    const env = command(wired, OLD_ONLY, {
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 75 * 365 * 86_400_000).toISOString(),
    });
    await h.send(env);
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'bad_lifetime' });
    expect(wire.connections()).toBe(0);
  });

  it('refuses a command issued after it expires (bad_lifetime)', async () => {
    const now = Date.now();
    const env = command(wired, OLD_ONLY, {
      issuedAt: new Date(now + 60_000).toISOString(),
      expiresAt: new Date(now + 30_000).toISOString(),
    });
    await h.send(env);
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'bad_lifetime' });
    expect(wire.connections()).toBe(0);
  });

  it('refuses a command issued in the future beyond the clock skew (issued_in_future)', async () => {
    const now = Date.now();
    const env = command(wired, OLD_ONLY, {
      issuedAt: new Date(now + 3_600_000).toISOString(),
      expiresAt: new Date(now + 7_200_000).toISOString(),
    });
    await h.send(env);
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'issued_in_future' });
    expect(wire.connections()).toBe(0);
  });

  it('refuses 240 KB of unknown params before parsing (too_large), touching no device', async () => {
    const env = command(wired, OLD_ONLY, { params: { junk: 'x'.repeat(240 * 1024) } });
    await h.send(env);
    const r = await h.waitFor('too_large rejection', () =>
      h.messages.find((m) => m.type === 'rejected' && m.reason === 'too_large'),
    );
    expect(r).toMatchObject({ type: 'rejected', reason: 'too_large' });
    // Not parsed, so nothing of the body is echoed: no id, no token.
    expect(r).not.toHaveProperty('commandId');
    expect(r).not.toHaveProperty('taskToken');
    expect(wire.connections()).toBe(0);
  });

  it('refuses a key id it does not hold (unknown_key), even when the signature is right for that key', async () => {
    const env = command(wired, ATTACKER);
    await h.send(env);
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'unknown_key' });
    expect(wire.connections()).toBe(0);
  });

  it('refuses a command whose kid was swapped for another accepted key (bad_signature)', async () => {
    const env = command(wired, OLD_ONLY);
    await h.send({ ...env, kid: 'new' });
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'bad_signature' });
    expect(wire.connections()).toBe(0);
  });

  it('runs commands signed with either key of its ring (a rotation overlap)', async () => {
    const byOld = command(real, OLD_ONLY);
    const byNew = command(real, RING);
    expect(byNew.kid).toBe('new');
    await h.send(byOld);
    await h.send(byNew);
    expect(await h.waitForResult(byOld.id)).toMatchObject({ ok: true });
    expect(await h.waitForResult(byNew.id)).toMatchObject({ ok: true });
  });

  it('signs everything it sends (results, progress, rejections, heartbeats) with its active key id', async () => {
    await h.waitFor('a heartbeat', () => h.messages.find((m) => m.type === 'agent-heartbeat'));
    const types = new Set(h.messages.map((m) => m.type));
    expect([...types].sort()).toEqual(expect.arrayContaining(['agent-heartbeat', 'rejected', 'result']));
    for (const m of h.messages) {
      expect(m.kid).toBe('new');
      const v = verifyRelayMessage(m, RING, new Date());
      expect(v.ok ? 'verified' : `${m.type}: ${v.reason}`).toBe('verified');
      // Only the agent's active key verifies it: the old key alone does not.
      expect(verifyRelayMessage(m, OLD_ONLY, new Date())).toMatchObject({ ok: false, reason: 'unknown_key' });
    }
    const result = h.messages.find((m) => m.type === 'result');
    expect(result).toMatchObject({ target: 'idrac:TEST001' });
    // A result altered on the way (ok flipped) no longer verifies.
    expect(verifyRelayMessage({ ...result, ok: false }, RING, new Date())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });
});

describe('relay agent process: keys re-read on SIGHUP (rotation without a restart)', () => {
  let h: RelayHarness | undefined;
  let proc: AgentProcess | undefined;
  afterAll(async () => {
    proc?.kill('SIGKILL');
    await proc?.exited;
    await h?.stop();
  });

  it('switches its active key on SIGHUP, and keeps its keys when the new file is bad', {
    timeout: 90_000,
  }, async () => {
    const keysFile = (dir: string) => join(dir, 'relay-keys.json');
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
      inProcess: false,
      agent: (cfg) => {
        const { signingKey: _k, ...rest } = cfg;
        return {
          ...rest,
          signingKeysFile: keysFile(dirname(cfg.ledgerPath ?? '')),
          logLevel: 'info',
        };
      },
    });
    const harness = h;
    const file = keysFile(harness.dir);
    writeFileSync(file, JSON.stringify(OLD_ONLY), { mode: 0o600 });
    proc = new AgentProcess(harness.writeConfig());
    const agent = proc;
    const run = async (keys: Keyring) => {
      const {
        sig: _s,
        kid: _k,
        ...unsigned
      } = harness.envelope('inventory.idrac', { type: 'idrac', id: 'TEST001' }, {});
      const env = await harness.send(signEnvelope(unsigned, keys));
      return harness.waitForResult(env.id, 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${agent.output.join('')}`);
      });
    };
    expect(await run(OLD_ONLY)).toMatchObject({ ok: true, kid: 'old' });

    writeFileSync(file, JSON.stringify(RING), { mode: 0o600 });
    agent.kill('SIGHUP');
    await harness.waitFor(
      'the reload',
      () => agent.output.join('').includes('signing keys reloaded') || undefined,
    );
    expect(await run(RING)).toMatchObject({ ok: true, kid: 'new' });
    expect(await run(OLD_ONLY)).toMatchObject({ ok: true, kid: 'new' });

    writeFileSync(file, '{"activeKid":"gone","keys":{}}', { mode: 0o600 });
    agent.kill('SIGHUP');
    await harness.waitFor(
      'the refusal',
      () => agent.output.join('').includes('signing keys not reloaded') || undefined,
    );
    expect(await run(RING)).toMatchObject({ ok: true, kid: 'new' });
  });
});
