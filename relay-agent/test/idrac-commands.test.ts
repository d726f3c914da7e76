import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '../src/metrics/metrics';
import { createMetrics } from '../src/metrics/metrics';
import { RelayHarness } from './helpers/relay-harness';
import { smallLab } from './helpers/small-lab';

describe('iDRAC commands against the lab', () => {
  let h: RelayHarness;
  const t = (id: string) => ({ type: 'idrac' as const, id });
  beforeAll(async () => {
    h = await RelayHarness.start({
      lab: smallLab(3),
      labOpts: { services: { vcenter: false, ome: false, catalog: false, control: false } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const run = async (env: ReturnType<RelayHarness['envelope']>, ok = true) => {
    await h.send(env);
    const r = await h.waitForResult(env.id, 20_000);
    expect(r.ok, `${env.kind}: ${JSON.stringify(r.error)}`).toBe(ok);
    return r;
  };

  it('reports LC status and stale jobs, clears them once, then finds none', async () => {
    h.lab.faults.set('TEST002', { staleJobs: 2 });
    const st = await run(h.envelope('idrac.lc-status', t('TEST002'), {}));
    expect(st.output).toMatchObject({ ready: true, status: 'Ready' });
    expect(st.output?.staleJobs).toHaveLength(2);
    expect((await run(h.envelope('idrac.clear-stale-jobs', t('TEST002'), {}))).output).toEqual({
      cleared: 2,
    });
    expect((await run(h.envelope('idrac.clear-stale-jobs', t('TEST002'), {}))).output).toEqual({
      cleared: 0,
    });
  });

  it('says when the Lifecycle Controller is not ready', async () => {
    h.lab.faults.set('TEST003', { lcNotReady: true });
    const st = await run(h.envelope('idrac.lc-status', t('TEST003'), {}));
    expect(st.output?.ready).toBe(false);
    h.lab.faults.clear('TEST003');
  });

  it('inserts virtual media once and ejects it once', async () => {
    const image = 'https://127.0.0.1/iso/esxi-8.0.3.iso';
    const ins = await run(h.envelope('media.insert', t('TEST001'), { image }));
    expect(ins.output).toEqual({ inserted: true, image, changed: true });
    expect((await run(h.envelope('media.insert', t('TEST001'), { image }))).output).toMatchObject({
      changed: false,
    });
    expect((await run(h.envelope('media.eject', t('TEST001'), {}))).output).toEqual({
      inserted: false,
      changed: true,
    });
    expect((await run(h.envelope('media.eject', t('TEST001'), {}))).output).toEqual({
      inserted: false,
      changed: false,
    });
  });

  it('powers a host off and on without repeating what is already done', async () => {
    const off = await run(h.envelope('host.power', t('TEST003'), { action: 'ForceOff' }));
    expect(off.output?.changed).toBe(true);
    await h.waitFor('power off', () => (h.lab.world.host('TEST003').power === 'Off' ? true : undefined));
    expect((await run(h.envelope('host.power', t('TEST003'), { action: 'ForceOff' }))).output).toEqual({
      powerState: 'Off',
      changed: false,
    });
    expect((await run(h.envelope('host.power', t('TEST003'), { action: 'On' }))).output?.changed).toBe(true);
  });

  it('exports the server configuration profile, storing it on-prem and returning its digest', async () => {
    const r = await run(h.envelope('scp.export', t('TEST001'), { format: 'JSON' }));
    expect(r.output).toMatchObject({
      jobId: expect.stringMatching(/^JID_/),
      bytes: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(r.output?.bytes as number).toBeGreaterThan(100);
    // The result says where the profile went (the job's report names it), and it is that file.
    const file = r.output?.file as string;
    expect(isAbsolute(file)).toBe(true);
    expect(file).toMatch(
      new RegExp(`TEST001-\\d{8}T\\d{6}Z-${String(r.output?.jobId).replace('_', '')}\\.json$`),
    );
    expect(r.output?.backupId).toMatch(/^TEST001-/);
    expect(statSync(file).size).toBe(r.output?.bytes);
  });

  it('reads host state, Lifecycle Controller and firmware in one preflight command, ingesting nothing', async () => {
    h.lab.faults.set('TEST003', { staleJobs: 1 });
    const env = h.envelope('host.preflight', t('TEST003'), { hostId: 'TEST003' });
    const r = await run(env);
    expect(r.output).toMatchObject({
      hostState: { hostId: 'TEST003', idracReachable: true },
      lc: { ready: true, status: 'Ready' },
      fw: { server: { serviceTag: 'TEST003' } },
    });
    const out = r.output as { lc: { staleJobs: unknown[] }; fw: { firmware: { name: string }[] } };
    expect(out.lc.staleJobs).toHaveLength(1);
    expect(out.fw.firmware.some((f) => /BIOS/.test(f.name))).toBe(true);
    // Nothing streamed into the inventory: no progress message carries a page.
    const pages = h.messages.filter(
      (m) => m.type === 'progress' && m.commandId === env.id && 'page' in m && m.page,
    );
    expect(pages).toEqual([]);
    h.lab.faults.clear('TEST003');
  });

  it('reads host state from the iDRAC', async () => {
    const r = await run(h.envelope('host.state', t('TEST001'), { hostId: 'TEST001' }));
    expect(r.output).toEqual({ hostId: 'TEST001', idracReachable: true, powerState: 'On' });
  });

  it('sends agent heartbeats with version, uptime and in-flight commands', async () => {
    const hb = await h.waitFor('a heartbeat', () => h.messages.find((m) => m.type === 'agent-heartbeat'));
    expect(hb).toMatchObject({
      agentId: 'relay-test',
      version: expect.any(String),
      inFlight: expect.any(Array),
    });
  });

  it('serves Prometheus metrics on loopback', async () => {
    const m = createMetrics();
    m.commands.inc({ kind: 'inventory.idrac', outcome: 'ok' });
    const srv = await serveMetrics(m, 0);
    try {
      const text = await (await fetch(`http://127.0.0.1:${srv.port}/metrics`)).text();
      expect(text).toContain('rackops_relay_commands_total{kind="inventory.idrac",outcome="ok"} 1');
      expect(text).toContain('rackops_relay_queue_lag_seconds');
    } finally {
      await srv.close();
    }
  });
});
