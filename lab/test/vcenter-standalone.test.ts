import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabConfig, type LabConfigInput } from '../src/config/lab-config.schema';
import { type Lab, startLab } from '../src/index';
import { type Client, createClient } from './helpers/https-client';

const host = (serviceTag: string, name: string) => ({
  serviceTag,
  name,
  cpuMhz: 128_000,
  memoryMiB: 524_288,
  firmware: { profile: 'outdated' as const, versions: {} },
});

/** One cluster of two hosts and one standalone host in the same vCenter. */
const CONFIG: LabConfigInput = {
  name: 'standalone',
  vcenters: [
    {
      id: 'vc-lab',
      clusters: [
        {
          name: 'lab-c',
          hosts: [host('LABC001', 'esx-c01.lab.local'), host('LABC002', 'esx-c02.lab.local')],
        },
        { name: 'solo', standalone: true, hosts: [host('LABS001', 'esx-s01.lab.local')] },
      ],
    },
  ],
};

describe('a standalone host in the lab vCenter', () => {
  let lab: Lab;
  let rest: Client;
  let sessionId: string;
  const get = (path: string) =>
    rest.get(path, { auth: null, headers: { 'vmware-api-session-id': sessionId } });

  beforeAll(async () => {
    lab = await startLab(CONFIG, { timeScale: 1 / 6000, services: { ome: false, catalog: false } });
    const vc = lab.endpoints.vcenters[0]!;
    rest = createClient(vc.url, { ca: lab.tls.ca, auth: { username: vc.username, password: vc.password } });
    sessionId = (await rest.call('POST', '/api/session')).json as string;
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('is a host of the vCenter but not a cluster: a domain-s compute resource without DRS or HA', async () => {
    const clusters = (await get('/api/vcenter/cluster')).json as { name: string }[];
    expect(clusters.map((c) => c.name)).toEqual(['lab-c']);
    const hosts = (await get('/api/vcenter/host')).json as { name: string }[];
    expect(hosts.map((h) => h.name).sort()).toEqual([
      'esx-c01.lab.local',
      'esx-c02.lab.local',
      'esx-s01.lab.local',
    ]);
    const solo = lab.world.cluster('solo');
    expect(solo.moref).toMatch(/^domain-s\d+$/);
    expect(solo.drsEnabled).toBe(false);
    expect(solo.ha.haEnabled).toBe(false);
  });

  it('a standalone entry of more than one host is refused, naming it', () => {
    const bad = structuredClone(CONFIG);
    bad.vcenters[0]!.clusters![1]!.hosts.push(host('LABS002', 'esx-s02.lab.local'));
    const r = LabConfig.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('standalone solo has 2 hosts: a standalone entry is one host');
  });
});
