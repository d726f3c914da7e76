import { signEnvelope } from '@rackops/core/relay/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayHarness, SIGNING_KEY } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';
import { startTripwire } from './helpers/tripwire';

describe('relay protocol: verification before any device call', () => {
  let h: RelayHarness;
  let wire: Awaited<ReturnType<typeof startTripwire>>;
  const target = { type: 'idrac' as const, id: 'WIRE001' };

  beforeAll(async () => {
    wire = await startTripwire();
    h = await RelayHarness.start({
      lab: smallLab(1),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
      agent: (cfg) => ({
        ...cfg,
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
      }),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await wire?.close();
  });

  const rejectedFor = (id: string) =>
    h.waitFor(`rejection of ${id}`, () =>
      h.messages.find((m) => m.type === 'rejected' && m.commandId === id),
    );

  it('rejects a forged command (wrong key), reports it, and touches no device', async () => {
    const { sig: _sig, ...unsigned } = h.envelope('inventory.idrac', target, {});
    const forged = signEnvelope(unsigned, 'attacker-key-attacker-key-attacker-key!');
    await h.send(forged);
    const r = await rejectedFor(forged.id);
    expect(r).toMatchObject({
      type: 'rejected',
      reason: 'bad_signature',
      taskToken: forged.taskToken,
      jobId: 'job-test',
    });
    expect(wire.connections()).toBe(0);
  });

  it('rejects a tampered command (params changed after signing)', async () => {
    const env = h.envelope('host.power', target, { action: 'On' });
    await h.send({ ...env, params: { action: 'ForceOff' } });
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'bad_signature' });
    expect(wire.connections()).toBe(0);
  });

  it('rejects an expired command', async () => {
    const past = Date.now() - 7_200_000;
    const env = h.envelope(
      'inventory.idrac',
      target,
      {},
      {
        issuedAt: new Date(past).toISOString(),
        expiresAt: new Date(past + 60_000).toISOString(),
      },
    );
    await h.send(env);
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'expired' });
    expect(wire.connections()).toBe(0);
  });

  it('rejects an unsigned command', async () => {
    const { sig: _sig, ...unsigned } = h.envelope('inventory.idrac', target, {});
    await h.sendRaw(JSON.stringify(unsigned), 'idrac:WIRE001');
    expect(await rejectedFor(unsigned.id)).toMatchObject({ reason: 'unsigned' });
    expect(wire.connections()).toBe(0);
  });

  it('rejects a body that is not an envelope at all', async () => {
    const before = h.messages.filter((m) => m.type === 'rejected' && m.reason === 'malformed').length;
    await h.sendRaw('{"hello":', 'idrac:WIRE001');
    await h.waitFor('malformed rejection', () =>
      h.messages.filter((m) => m.type === 'rejected' && m.reason === 'malformed').length > before
        ? true
        : undefined,
    );
    expect(wire.connections()).toBe(0);
  });

  it('rejects a replayed id carrying a different command, without a device call', async () => {
    const first = h.envelope('idrac.lc-status', { type: 'idrac', id: 'TEST001' }, {});
    await h.send(first);
    expect((await h.waitForResult(first.id)).ok).toBe(true);
    // Same id, validly signed, different content: a replay of the id, not a redelivery.
    const { sig: _s, ...u } = h.envelope('host.power', target, { action: 'ForceOff' }, { id: first.id });
    const replay = signEnvelope(u, SIGNING_KEY);
    await h.send(replay);
    await h.waitFor('replay rejection', () =>
      h.messages.find((m) => m.type === 'rejected' && m.commandId === first.id && m.reason === 'replayed'),
    );
    expect(wire.connections()).toBe(0);
  });

  it('rejects a command for a device outside the inventory', async () => {
    const env = h.envelope('inventory.idrac', { type: 'idrac', id: 'NOT-MINE' }, {});
    await h.send(env);
    expect(await rejectedFor(env.id)).toMatchObject({ reason: 'unknown_target' });
  });

  it('does call the device for a valid command (the tripwire works)', async () => {
    const env = h.envelope('inventory.idrac', target, {});
    await h.send(env);
    const r = await h.waitForResult(env.id);
    expect(r.ok).toBe(false);
    expect(wire.connections()).toBeGreaterThan(0);
  });

  it('re-sends the recorded result for a redelivered completed command, without re-running it', async () => {
    const env = h.envelope('idrac.lc-status', { type: 'idrac', id: 'TEST001' }, {});
    await h.send(env);
    const first = await h.waitForResult(env.id);
    const sessionsBefore = h.lab.world.host('TEST001').sessions.size;
    await h.send(env);
    await h.waitFor('second result', () => (h.results(env.id).length >= 2 ? true : undefined));
    const [a, b] = h.results(env.id);
    expect(b).toEqual(a);
    expect(first.ok).toBe(true);
    expect(h.lab.world.host('TEST001').sessions.size).toBe(sessionsBefore);
  });
});
