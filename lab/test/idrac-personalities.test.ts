import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../src/idrac/personality';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';
import { smallLab } from './helpers/small-lab';

const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
const OLD_DELL = '/redfish/v1/Dell/Managers/iDRAC.Embedded.1';
const LC_STATUS = 'DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus';
// biome-ignore lint/suspicious/noExplicitAny: JSON answers read only inside assertions (a wrong shape fails them)
type Json = Record<string, any>;

/** What each iDRAC personality serves differently (lab/docs/idrac-personalities.md). */
describe('iDRAC personalities', () => {
  let f: LabFixture;
  const OLD = 'TEST001';
  const NOW = 'TEST002';
  const NEW = 'TEST003';
  beforeAll(async () => {
    const cfg = smallLab(3);
    const hosts = cfg.vcenters[0]!.clusters![0]!.hosts;
    hosts[0]!.idrac = 'idrac9-3.x';
    hosts[2]!.idrac = 'idrac9-7.x';
    f = await startTestLab(cfg);
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('3.x links the Dell OEM services under /redfish/v1/Dell and its jobs at Managers/…/Jobs', async () => {
    const c = f.client(OLD);
    const links = ((await c.get(MANAGER)).json as Json).Links.Oem.Dell;
    expect(links.Jobs['@odata.id']).toBe(`${MANAGER}/Jobs`);
    expect(links.DellLCService['@odata.id']).toBe(`${OLD_DELL}/DellLCService`);
    expect(links.DellJobService['@odata.id']).toBe(`${OLD_DELL}/DellJobService`);
    const lc = (await c.get(`${OLD_DELL}/DellLCService`)).json as Json;
    expect(lc.Actions['#DellLCService.GetRemoteServicesAPIStatus'].target).toBe(`${OLD_DELL}/${LC_STATUS}`);
    expect((await c.post(`${OLD_DELL}/${LC_STATUS}`, {})).status).toBe(200);
    expect((await c.post(`${MANAGER}/Oem/Dell/${LC_STATUS}`, {})).status).toBe(404);
    expect((await c.get(`${MANAGER}/Oem/Dell/Jobs`)).status).toBe(404);
    expect((await c.get(`${MANAGER}/Jobs`)).status).toBe(200);
  });

  it('3.x has no ProtocolFeaturesSupported and refuses $expand with 501; 6.x and 7.x advertise and honour it', async () => {
    const root = (id: string) =>
      f
        .client(id)
        .get('/redfish/v1')
        .then((r) => r.json as Json);
    expect((await root(OLD)).ProtocolFeaturesSupported).toBeUndefined();
    expect((await root(NOW)).ProtocolFeaturesSupported.ExpandQuery.ExpandAll).toBe(true);
    expect((await root(NEW)).ProtocolFeaturesSupported.ExpandQuery.MaxLevels).toBe(1);
    const fw = '/redfish/v1/UpdateService/FirmwareInventory?$expand=*($levels=1)';
    expect((await f.client(OLD).get(fw)).status).toBe(501);
    const expanded = (await f.client(NEW).get(fw)).json as Json;
    expect(expanded.Members[0].Version).toEqual(expect.any(String));
  });

  it('7.x no longer serves the legacy job collection; 6.x serves both', async () => {
    expect((await f.client(NEW).get(`${MANAGER}/Jobs`)).status).toBe(404);
    expect((await f.client(NEW).get(`${MANAGER}/Oem/Dell/Jobs`)).status).toBe(200);
    expect((await f.client(NOW).get(`${MANAGER}/Jobs`)).status).toBe(200);
  });

  it('pages a job queue at 50 members with a nextLink that keeps $expand', async () => {
    const host = f.lab.world.host(NEW);
    for (let i = 0; i < 60; i++) {
      const id = `JID_8000000000${String(i).padStart(2, '0')}`;
      host.jobs.set(id, {
        id,
        name: 'old',
        jobType: 'FirmwareUpdate',
        state: 'Completed',
        percent: 100,
        message: 'done',
        messageId: 'RED001',
        startTime: '2024-01-01T00:00:00',
      });
    }
    const c = f.client(NEW);
    const first = (await c.get(`${MANAGER}/Oem/Dell/Jobs?$expand=*($levels=1)`)).json as Json;
    expect(first.Members).toHaveLength(PAGE_SIZE);
    expect(first.Members[0].JobState).toEqual(expect.any(String));
    expect(first['Members@odata.count']).toBe(host.jobs.size);
    const next = first['Members@odata.nextLink'] as string;
    expect(next).toMatch(/\$expand=.*&\$skip=50$/);
    const second = (await c.get(next)).json as Json;
    expect(second.Members).toHaveLength(host.jobs.size - PAGE_SIZE);
    expect(second['Members@odata.nextLink']).toBeUndefined();
  });
});
