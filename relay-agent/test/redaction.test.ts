import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log/logger';
import { labPackage } from './helpers/lab-packages';
import { RelayHarness, SIGNING_KEY } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

describe('secrets never reach logs or results', () => {
  let h: RelayHarness;
  const tokens = new Set<string>();
  beforeAll(async () => {
    h = await RelayHarness.start({ lab: smallLab(3) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('device credentials, session tokens and the signing key appear in no log line and no result', async () => {
    const t = { type: 'idrac' as const, id: 'TEST001' };
    const cmds = [
      h.envelope('inventory.idrac', t, {}),
      h.envelope('idrac.lc-status', t, {}),
      h.envelope('firmware.stage', t, { packages: [labPackage(h.lab, '159')] }),
      h.envelope('host.state', t, { hostId: 'TEST001', vcenterId: 'vc-test' }),
      h.envelope('host.enter-maintenance', { type: 'vcenter', id: 'vc-test' }, { hostId: 'TEST003' }),
      h.envelope('host.exit-maintenance', { type: 'vcenter', id: 'vc-test' }, { hostId: 'TEST003' }),
    ];
    for (const c of cmds) await h.send(c);
    for (const c of cmds) {
      const r = await h.waitForResult(c.id, 30_000);
      expect(r.ok, `${c.kind}: ${JSON.stringify(r.error)}`).toBe(true);
    }
    // Session tokens the iDRACs handed out (taken before the agent logs out).
    for (const id of ['TEST001', 'TEST002'])
      for (const s of h.lab.world.host(id).sessions.values()) tokens.add(s.token);
    expect(tokens.size).toBeGreaterThan(0);
    await h.stopAgent();

    const logs = h.logs.join('');
    const results = JSON.stringify(h.messages);
    expect(logs.length).toBeGreaterThan(1000);
    const secrets = ['calvin', 'Lab-Passw0rd!', SIGNING_KEY, ...tokens];
    for (const s of secrets) {
      expect(logs.includes(s), `log contains ${s.slice(0, 4)}…`).toBe(false);
      expect(results.includes(s), `results contain ${s.slice(0, 4)}…`).toBe(false);
    }
    // The task token travels in results (the cloud needs it) but never in logs.
    for (const c of cmds) expect(logs.includes(c.taskToken ?? '@@')).toBe(false);
  });

  it('the logger censors secret-looking fields even if a handler logs them by mistake', () => {
    const lines: string[] = [];
    const log = createLogger(
      'info',
      new Writable({
        write: (c: Buffer, _e, cb) => {
          lines.push(c.toString());
          cb();
        },
      }),
    );
    log.info(
      {
        password: 'p1',
        headers: {
          authorization: 'Basic cm9vdDpjYWx2aW4=',
          'x-auth-token': 'tok-1',
          cookie: 'vmware_soap_session=abc',
        },
        device: { credentials: { username: 'root', password: 'p2' } },
        taskToken: 'tt-1',
      },
      'oops',
    );
    const out = lines.join('');
    for (const s of ['p1', 'cm9vdDpjYWx2aW4=', 'tok-1', 'vmware_soap_session=abc', 'p2', 'tt-1'])
      expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
  });
});
