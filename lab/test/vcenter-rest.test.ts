import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/index';
import { type Client, createClient } from './helpers/https-client';

describe('vCenter REST API (/api)', () => {
  let lab: Lab;
  let rest: Client;
  let sessionId: string;
  const get = (path: string) =>
    rest.get(path, { auth: null, headers: { 'vmware-api-session-id': sessionId } });

  beforeAll(async () => {
    lab = await startLab(undefined, { timeScale: 1 / 6000, services: { ome: false, catalog: false } });
    const vc = lab.endpoints.vcenters[0]!;
    rest = createClient(vc.url, { ca: lab.tls.ca, auth: { username: vc.username, password: vc.password } });
    const login = await rest.call('POST', '/api/session');
    expect(login.status).toBe(201);
    sessionId = login.json as string;
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('creates a session with basic auth and refuses bad credentials and missing sessions', async () => {
    expect(sessionId).toMatch(/^[0-9a-f]{40}$/);
    const bad = await rest.call('POST', '/api/session', undefined, {
      auth: { username: 'administrator@vsphere.local', password: 'nope' },
    });
    expect(bad.status).toBe(401);
    expect((bad.json as { error_type: string }).error_type).toBe('UNAUTHENTICATED');
    const anonymous = await rest.get('/api/vcenter/host', { auth: null });
    expect(anonymous.status).toBe(401);
  });

  it('lists clusters, hosts, VMs, datastores and networks as arrays of summaries', async () => {
    const clusters = (await get('/api/vcenter/cluster')).json as Array<Record<string, unknown>>;
    expect(clusters).toEqual([
      { drs_enabled: true, cluster: lab.world.cluster('lab-a').moref, name: 'lab-a', ha_enabled: true },
      { drs_enabled: true, cluster: lab.world.cluster('lab-b').moref, name: 'lab-b', ha_enabled: true },
    ]);
    const hosts = (await get('/api/vcenter/host')).json as Array<Record<string, unknown>>;
    expect(hosts).toHaveLength(12);
    expect(hosts[0]).toEqual({
      host: lab.world.host('LABA001').moref,
      name: 'esx-a01.lab.local',
      connection_state: 'CONNECTED',
      power_state: 'POWERED_ON',
    });
    const vms = (await get('/api/vcenter/vm')).json as Array<Record<string, unknown>>;
    expect(vms).toHaveLength(lab.world.vms.size);
    expect(Object.keys(vms[0]!).sort()).toEqual([
      'cpu_count',
      'memory_size_MiB',
      'name',
      'power_state',
      'vm',
    ]);
    const off = (await get('/api/vcenter/vm?power_states=POWERED_OFF')).json as Array<
      Record<string, unknown>
    >;
    expect(off.length).toBe([...lab.world.vms.values()].filter((v) => v.powerState === 'poweredOff').length);
    const datastores = (await get('/api/vcenter/datastore')).json as Array<Record<string, number | string>>;
    expect(datastores.length).toBe(2 + 12);
    expect(Number(datastores[0]!.free_space)).toBeLessThan(Number(datastores[0]!.capacity));
    const networks = (await get('/api/vcenter/network')).json as Array<Record<string, unknown>>;
    expect(networks.map((n) => n.type)).toEqual(['STANDARD_PORTGROUP', 'STANDARD_PORTGROUP']);
  });

  it('filters hosts by cluster and ends the session on DELETE', async () => {
    const inA = (await get(`/api/vcenter/host?clusters=${lab.world.cluster('lab-a').moref}`))
      .json as unknown[];
    expect(inA).toHaveLength(4);
    const del = await rest.delete('/api/session', {
      auth: null,
      headers: { 'vmware-api-session-id': sessionId },
    });
    expect(del.status).toBe(204);
    expect((await get('/api/vcenter/cluster')).status).toBe(401);
  });
});
