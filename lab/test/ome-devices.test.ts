import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/index';
import { type Client, createClient } from './helpers/https-client';

interface Device {
  Id: number;
  DeviceServiceTag: string;
  DeviceName: string;
  Model: string;
  SystemId: number;
  PowerState: number;
  ConnectionState: boolean;
  DeviceManagement: Array<{
    NetworkAddress: string;
    ManagementProfile: Array<{ AgentName: string; Version: string }>;
  }>;
}

interface DevicePage {
  '@odata.count': number;
  value: Device[];
  '@odata.nextLink'?: string;
}

describe('OpenManage Enterprise API', () => {
  let lab: Lab;
  let ome: Client;

  beforeAll(async () => {
    lab = await startLab(undefined, { timeScale: 1 / 6000, services: { vcenter: false, catalog: false } });
    const ep = lab.endpoints.omes[0]!;
    const anonymous = createClient(ep.url, { ca: lab.tls.ca });
    const login = await anonymous.post('/api/SessionService/Sessions', {
      UserName: ep.username,
      Password: ep.password,
      SessionType: 'API',
    });
    expect(login.status).toBe(201);
    const token = login.headers['x-auth-token'] as string;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    ome = createClient(ep.url, { ca: lab.tls.ca, auth: { token } });
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('refuses bad credentials and requests without a session', async () => {
    const ep = lab.endpoints.omes[0]!;
    const anonymous = createClient(ep.url, { ca: lab.tls.ca });
    const bad = await anonymous.post('/api/SessionService/Sessions', {
      UserName: 'admin',
      Password: 'x',
      SessionType: 'API',
    });
    expect(bad.status).toBe(401);
    const info = (bad.json as { error: { '@Message.ExtendedInfo': Array<{ MessageId: string }> } }).error;
    expect(info['@Message.ExtendedInfo'][0]!.MessageId).toBe('CSEC5002');
    expect((await anonymous.get('/api/DeviceService/Devices')).status).toBe(401);
  });

  it('pages the device collection with @odata.nextLink until every server is listed', async () => {
    const seen: Device[] = [];
    let next: string | undefined = '/api/DeviceService/Devices?$top=5';
    let pages = 0;
    while (next) {
      const r = await ome.get(next);
      expect(r.status).toBe(200);
      const page = r.json as DevicePage;
      expect(page['@odata.count']).toBe(12);
      expect(page.value.length).toBeLessThanOrEqual(5);
      seen.push(...page.value);
      next = page['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.map((d) => d.DeviceServiceTag).sort()).toEqual([...lab.world.hosts.keys()].sort());
    const a1 = seen.find((d) => d.DeviceServiceTag === 'LABA001')!;
    expect(a1).toMatchObject({
      DeviceName: 'esx-a01.lab.local',
      Model: 'PowerEdge R750',
      PowerState: 17,
      ConnectionState: true,
    });
    expect(a1.DeviceManagement[0]!.ManagementProfile[0]!.AgentName).toBe('iDRAC');
    // The model id the server's own iDRAC reports: a catalog matches by it.
    const idrac = lab.endpoints.idracs.find((e) => e.hostId === 'LABA001')!;
    const sys = (
      await createClient(idrac.url, { ca: lab.tls.ca, auth: idrac }).get(
        '/redfish/v1/Systems/System.Embedded.1',
      )
    ).json as { Oem: { Dell: { DellSystem: { SystemID: number } } } };
    expect(a1.SystemId).toBe(sys.Oem.Dell.DellSystem.SystemID);
    expect(a1.DeviceManagement[0]!.NetworkAddress).toBe(lab.world.host('LABA001').idracAddress);

    const filtered = (await ome.get("/api/DeviceService/Devices?$filter=DeviceServiceTag eq 'LABB003'"))
      .json as DevicePage;
    expect(filtered.value.map((d) => d.DeviceServiceTag)).toEqual(['LABB003']);
    expect((await ome.get('/api/DeviceService/Devices?$filter=Model ne 1')).status).toBe(400);
  });

  it('serves per-device inventory with firmware that matches the iDRAC (serverSoftware)', async () => {
    const list = (await ome.get("/api/DeviceService/Devices?$filter=DeviceServiceTag eq 'LABA002'"))
      .json as DevicePage;
    const id = list.value[0]!.Id;
    const all = await ome.get(`/api/DeviceService/Devices(${id})/InventoryDetails`);
    expect(all.status).toBe(200);
    const types = (all.json as { value: Array<{ InventoryType: string }> }).value.map((v) => v.InventoryType);
    expect(types).toContain('serverSoftware');

    const sw = await ome.get(`/api/DeviceService/Devices(${id})/InventoryDetails('serverSoftware')`);
    expect(sw.status).toBe(200);
    const info = (sw.json as { InventoryType: string; InventoryInfo: Array<Record<string, string>> })
      .InventoryInfo;
    const bios = info.find((i) => i.ComponentId === '159')!;
    const fw = lab.world.firmwareComponents('LABA002');
    expect(bios.Version).toBe(fw.find((c) => c.softwareId === '159')!.version);
    expect(bios.InstanceId).toBe('DCIM:INSTALLED#741__BIOS.Setup.1-1');
    const ssd = info.find((i) => i.ComponentId === '0' && i.VendorId === '1E0F');
    expect(ssd?.PciDeviceId).toBe('0007');
    expect(info).toHaveLength(fw.length);
    const device = await ome.get(`/api/DeviceService/Devices(${id})/InventoryDetails('deviceSoftware')`);
    expect((device.json as { InventoryInfo: unknown[] }).InventoryInfo).toEqual(info);

    expect((await ome.get(`/api/DeviceService/Devices(${id})/InventoryDetails('nope')`)).status).toBe(404);
    expect((await ome.get('/api/DeviceService/Devices(1)')).status).toBe(404);
  });

  it('reflects firmware changes and power state from the world', async () => {
    const host = lab.world.host('LABB001');
    const id = 10_100 + host.index;
    host.firmware.get('BIOS.Setup.1-1')!.version = '9.9.9';
    const sw = (await ome.get(`/api/DeviceService/Devices(${id})/InventoryDetails('serverSoftware')`))
      .json as {
      InventoryInfo: Array<Record<string, string>>;
    };
    expect(sw.InventoryInfo.find((i) => i.ComponentId === '159')!.Version).toBe('9.9.9');
    const idrac = lab.endpoints.idracs.find((e) => e.hostId === 'LABB001')!;
    const redfish = createClient(idrac.url, {
      ca: lab.tls.ca,
      auth: { username: 'root', password: 'calvin' },
    });
    await redfish.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
      ResetType: 'ForceOff',
    });
    const dev = (await ome.get(`/api/DeviceService/Devices(${id})`)).json as Device;
    expect(dev.PowerState).toBe(18);
  });
});
