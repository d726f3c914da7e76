import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/https-client';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';

const OEM = '/redfish/v1/Managers/iDRAC.Embedded.1/Actions/Oem';
const EXPORT = `${OEM}/EID_674_Manager.ExportSystemConfiguration`;
const IMPORT = `${OEM}/EID_674_Manager.ImportSystemConfiguration`;

type Profile = {
  SystemConfiguration: {
    Model: string;
    ServiceTag: string;
    Components: Array<{ FQDD: string; Attributes: Array<{ Name: string; Value: string }> }>;
  };
};

describe('ImportSystemConfiguration on the simulated iDRAC', () => {
  let f: LabFixture;
  beforeAll(async () => {
    f = await startTestLab();
  });
  afterAll(async () => {
    await f?.stop();
  });

  const exportProfile = async (host: string): Promise<Profile> => {
    const c = f.client(host);
    const r = await c.post(EXPORT, { ExportFormat: 'JSON', ShareParameters: { Target: 'ALL' } });
    const location = r.headers.location as string;
    return waitFor(
      async () => {
        const j = (await c.get(location)).json as Partial<Profile>;
        return j.SystemConfiguration ? (j as Profile) : undefined;
      },
      5_000,
      'exported profile',
    );
  };
  const runImport = async (host: string, body: unknown) => {
    const c = f.client(host);
    const r = await c.post(IMPORT, body);
    expect(r.status, r.text).toBe(202);
    const location = r.headers.location as string;
    return waitFor(
      async () => {
        const t = (await c.get(location)).json as { TaskState: string; Messages: Array<{ Message: string }> };
        return t.TaskState === 'Completed' || t.TaskState === 'Exception' ? t : undefined;
      },
      10_000,
      'import job',
    );
  };
  const attr = (p: Profile, fqdd: string) => {
    const c = p.SystemConfiguration.Components.find((x) => x.FQDD === fqdd);
    const a = c?.Attributes.find((x) => x.Name !== '' && !/Version|Tag|Model/.test(x.Name));
    if (!c || !a) throw new Error(`no attribute in ${fqdd}`);
    return a;
  };
  const attrValue = (p: Profile, fqdd: string, name: string) =>
    p.SystemConfiguration.Components.find((x) => x.FQDD === fqdd)?.Attributes.find((x) => x.Name === name)
      ?.Value;

  it('applies changed attributes, restarting the server for BIOS ones, and later exports show them', async () => {
    const before = await exportProfile('TEST001');
    const bios = attr(before, 'BIOS.Setup.1-1');
    const idrac = attr(before, 'iDRAC.Embedded.1');
    const wanted = structuredClone(before);
    const set = (fqdd: string, name: string, value: string) => {
      const a = wanted.SystemConfiguration.Components.find((x) => x.FQDD === fqdd)?.Attributes.find(
        (x) => x.Name === name,
      );
      if (a) a.Value = value;
    };
    set('BIOS.Setup.1-1', bios.Name, `${bios.Value}-x`);
    set('iDRAC.Embedded.1', idrac.Name, `${idrac.Value}-y`);
    const bootBefore = f.lab.world.host('TEST001').lastBootAt;
    const t = await runImport('TEST001', {
      ImportBuffer: JSON.stringify(wanted),
      ShareParameters: { Target: 'ALL' },
      ShutdownType: 'Forced',
    });
    expect(t.TaskState).toBe('Completed');
    expect(t.Messages[0]?.Message).toMatch(/Successfully imported/);
    expect(f.lab.world.host('TEST001').lastBootAt).not.toBe(bootBefore);
    const after = await exportProfile('TEST001');
    expect(attrValue(after, 'BIOS.Setup.1-1', bios.Name)).toBe(`${bios.Value}-x`);
    expect(attrValue(after, 'iDRAC.Embedded.1', idrac.Name)).toBe(`${idrac.Value}-y`);
    // The same import again changes nothing and does not restart the server.
    const boot2 = f.lab.world.host('TEST001').lastBootAt;
    const again = await runImport('TEST001', {
      ImportBuffer: JSON.stringify(wanted),
      ShutdownType: 'Forced',
    });
    expect(again.Messages[0]?.Message).toMatch(/No changes were applied/);
    expect(f.lab.world.host('TEST001').lastBootAt).toBe(boot2);
  });

  it('NoReboot leaves BIOS changes pending until the next restart', async () => {
    const before = await exportProfile('TEST002');
    const bios = attr(before, 'BIOS.Setup.1-1');
    const wanted = structuredClone(before);
    const a = wanted.SystemConfiguration.Components.find((x) => x.FQDD === 'BIOS.Setup.1-1')?.Attributes.find(
      (x) => x.Name === bios.Name,
    );
    if (a) a.Value = 'Pending-Value';
    const t = await runImport('TEST002', { ImportBuffer: JSON.stringify(wanted), ShutdownType: 'NoReboot' });
    expect(t.Messages[0]?.Message).toMatch(/next server restart/);
    expect(attrValue(await exportProfile('TEST002'), 'BIOS.Setup.1-1', bios.Name)).toBe(bios.Value);
    const c = f.client('TEST002');
    expect(
      (
        await c.post('/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
          ResetType: 'ForceRestart',
        })
      ).status,
    ).toBeLessThan(300);
    await waitFor(
      async () => (f.lab.world.host('TEST002').osPhase === 'running' ? true : undefined),
      10_000,
      'boot',
    );
    expect(attrValue(await exportProfile('TEST002'), 'BIOS.Setup.1-1', bios.Name)).toBe('Pending-Value');
  });

  it('refuses a buffer that is not a profile, creating no job', async () => {
    const c = f.client('TEST001');
    const jobs = f.lab.world.host('TEST001').jobs.size;
    const r = await c.post(IMPORT, { ImportBuffer: '<not json>', ShutdownType: 'Graceful' });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/Unable to parse the profile/);
    const bad = await c.post(IMPORT, { ImportBuffer: '{}', ShutdownType: 'Sometime' });
    expect(bad.status).toBe(400);
    expect(f.lab.world.host('TEST001').jobs.size).toBe(jobs);
  });
});
