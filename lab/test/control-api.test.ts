import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/index';
import { type Client, createClient } from './helpers/https-client';
import { smallLab } from './helpers/small-lab';

describe('lab control API (faults from another process)', () => {
  let lab: Lab;
  let c: Client;
  let call: (method: string, path: string, body?: unknown) => ReturnType<Client['call']>;
  beforeAll(async () => {
    lab = await startLab(smallLab(2), {
      timeScale: 1 / 6000,
      services: { vcenter: false, ome: false, catalog: false },
    });
    const ctl = lab.endpoints.control!;
    c = createClient(ctl.url, { ca: lab.tls.ca });
    call = (method, path, body) =>
      c.call(method, path, body, { headers: { Authorization: `Bearer ${ctl.token}` } });
  });
  afterAll(async () => {
    c?.close();
    await lab?.stop();
  });

  it('refuses callers without the token', async () => {
    expect((await c.get('/lab/faults')).status).toBe(401);
  });

  it('sets, lists and clears a host’s faults, validating them', async () => {
    const set = await call('PUT', '/lab/faults/TEST002', { rebootHangs: true, slowMs: 10 });
    expect(set.status).toBe(200);
    expect(lab.faults.get('TEST002')).toMatchObject({ rebootHangs: true, slowMs: 10 });
    expect((await call('GET', '/lab/faults')).json).toEqual([
      { hostId: 'TEST002', faults: lab.faults.get('TEST002') },
    ]);
    const bad = await call('PUT', '/lab/faults/TEST002', { dropRate: 5 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('dropRate');
    expect((await call('PUT', '/lab/faults/NOPE001', { rebootHangs: true })).status).toBe(404);
    expect((await call('DELETE', '/lab/faults/TEST002')).status).toBe(200);
    expect(lab.faults.get('TEST002').rebootHangs).toBe(false);
  });

  it('reports host state', async () => {
    const hosts = (await call('GET', '/lab/hosts')).json as Array<{
      hostId: string;
      power: string;
      firmware: Record<string, string>;
    }>;
    expect(hosts.map((h) => h.hostId)).toEqual(['TEST001', 'TEST002']);
    expect(hosts[0]!.firmware['BIOS.Setup.1-1']).toBe('1.8.2');
  });

  it('reports uploads and reboots per host', async () => {
    const idrac = lab.endpoints.idracs[0]!;
    const ic = createClient(idrac.url, {
      ca: lab.tls.ca,
      auth: { username: idrac.username, password: idrac.password },
    });
    try {
      const reset = await ic.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
        ResetType: 'ForceRestart',
      });
      expect(reset.status, reset.text).toBe(204);
    } finally {
      ic.close();
    }
    expect((await call('GET', '/lab/tallies')).json).toEqual({
      [idrac.hostId]: { uploads: {}, reboots: 1 },
    });
  });
});
