import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/https-client';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';

const EXPORT = '/redfish/v1/Managers/iDRAC.Embedded.1/Actions/Oem/EID_674_Manager.ExportSystemConfiguration';
const CD = '/redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/CD';
const DELETE_QUEUE =
  '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue';

describe('Dell OEM actions and virtual media', () => {
  let f: LabFixture;
  beforeAll(async () => {
    f = await startTestLab();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('ExportSystemConfiguration returns a job, then the profile (JSON)', async () => {
    const c = f.client('TEST001');
    const r = await c.post(EXPORT, { ExportFormat: 'JSON', ShareParameters: { Target: ['ALL'] } });
    expect(r.status).toBe(202);
    const location = r.headers.location as string;
    expect(location).toMatch(/TaskService\/Tasks\/JID_\d{12}$/);
    const profile = await waitFor(
      async () => {
        const t = await c.get(location);
        const j = t.json as {
          SystemConfiguration?: { ServiceTag: string; Components: Array<{ FQDD: string }> };
        };
        return j.SystemConfiguration;
      },
      5_000,
      'profile',
    );
    expect(profile.ServiceTag).toBe('TEST001');
    expect(profile.Components.map((x) => x.FQDD)).toContain('BIOS.Setup.1-1');
    expect(JSON.stringify(profile)).not.toMatch(/SHA256Password"|F54P1G3/);
  });

  it('ExportSystemConfiguration in XML for one target', async () => {
    const c = f.client('TEST001');
    const r = await c.post(EXPORT, { ExportFormat: 'XML', ShareParameters: { Target: 'BIOS' } });
    const location = r.headers.location as string;
    const xml = await waitFor(
      async () => {
        const t = await c.get(location);
        return t.headers['content-type'] === 'application/xml' ? t.text : undefined;
      },
      5_000,
      'xml',
    );
    expect(xml).toMatch(/^<SystemConfiguration Model="PowerEdge R750" ServiceTag="TEST001"/);
    expect(xml).toContain('<Component FQDD="BIOS.Setup.1-1">');
    expect(xml).not.toContain('iDRAC.Embedded.1');
  });

  it('InsertMedia / EjectMedia change the CD state; double insert and empty eject are refused', async () => {
    const c = f.client('TEST002');
    const image = 'https://127.0.0.1:8443/iso/esxi-8.0u3.iso';
    expect((await c.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: image })).status).toBe(204);
    expect((await c.get(CD)).json).toMatchObject({
      Image: image,
      Inserted: true,
      ConnectedVia: 'URI',
      ImageName: 'esxi-8.0u3.iso',
    });
    expect((await c.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: image })).status).toBe(409);
    expect((await c.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: 'not a url' })).status).toBe(400);
    expect((await c.post(`${CD}/Actions/VirtualMedia.EjectMedia`, {})).status).toBe(204);
    expect((await c.get(CD)).json).toMatchObject({
      Image: null,
      Inserted: false,
      ConnectedVia: 'NotConnected',
    });
    expect((await c.post(`${CD}/Actions/VirtualMedia.EjectMedia`, {})).status).toBe(400);
  });

  it('DeleteJobQueue deletes one job by id, and unknown ids are a 400', async () => {
    const c = f.client('TEST002');
    expect((await c.post(DELETE_QUEUE, { JobID: 'JID_102241909559' })).status).toBe(200);
    expect((await c.get('/redfish/v1/Managers/iDRAC.Embedded.1/Jobs/JID_102241909559')).status).toBe(404);
    expect((await c.post(DELETE_QUEUE, { JobID: 'JID_000000000001' })).status).toBe(400);
    expect((await c.post(DELETE_QUEUE, {})).status).toBe(400);
    expect((await c.delete('/redfish/v1/Managers/iDRAC.Embedded.1/Jobs/JID_000000000002')).status).toBe(404);
  });

  it('Manager.Reset restarts the iDRAC and drops its sessions', async () => {
    const c = f.client('TEST002');
    const s = await c.post(
      '/redfish/v1/SessionService/Sessions',
      { UserName: 'root', Password: 'calvin' },
      { auth: null },
    );
    const token = s.headers['x-auth-token'] as string;
    const resets: string[] = [];
    f.lab.world.events.on('idrac-reset-started', ({ hostId }) => resets.push(hostId));
    expect(
      (
        await c.post('/redfish/v1/Managers/iDRAC.Embedded.1/Actions/Manager.Reset', {
          ResetType: 'GracefulRestart',
        })
      ).status,
    ).toBe(204);
    await waitFor(() => resets.includes('TEST002'), 5_000, 'reset started');
    await waitFor(() => f.lab.world.host('TEST002').idrac === 'up', 5_000, 'up');
    const again = await waitFor(async () => {
      try {
        return await c.get('/redfish/v1/Systems/System.Embedded.1', { auth: { token } });
      } catch {
        return undefined;
      }
    });
    expect(again.status).toBe(401);
  });

  it('answers 404 for unknown resources and 405 for unsupported methods', async () => {
    const c = f.client('TEST001');
    expect((await c.get('/redfish/v1/Nope')).status).toBe(404);
    expect((await c.post('/redfish/v1/Systems/System.Embedded.1', {})).status).toBe(405);
  });
});
