import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../src/idrac/capture';
import { type Lab, startLab } from '../src/index';
import { type Client, createClient } from './helpers/https-client';
import { smallLab } from './helpers/small-lab';

/**
 * The shape of a JSON value: object keys (recursively), value kinds, and for arrays the shape
 * of their first element. `null` matches any kind (Redfish properties are nullable).
 */
function shapeDiff(expected: unknown, actual: unknown, at: string, out: string[]): void {
  if (expected === null || actual === null) return;
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);
  if (kind(expected) !== kind(actual)) {
    out.push(`${at}: expected ${kind(expected)}, got ${kind(actual)}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length && actual.length) shapeDiff(expected[0], actual[0], `${at}[0]`, out);
    return;
  }
  if (typeof expected === 'object' && typeof actual === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!(k in a)) out.push(`${at}.${k}: missing`);
      else shapeDiff(e[k], a[k], `${at}.${k}`, out);
    }
    for (const k of Object.keys(a)) if (!(k in e)) out.push(`${at}.${k}: unexpected`);
  }
}

describe('iDRAC conformance with the real R750 capture', () => {
  let lab: Lab;
  let client: Client;
  const newSession = async () => {
    const s = await client.post('/redfish/v1/SessionService/Sessions', {
      UserName: 'root',
      Password: 'calvin',
    });
    return (s.json as { Id: string }).Id;
  };
  const capture = loadCapture();

  beforeAll(async () => {
    lab = await startLab(smallLab(1), {
      timeScale: 1 / 6000,
      services: { vcenter: false, ome: false, catalog: false },
    });
    const e = lab.endpoints.idracs[0]!;
    client = createClient(e.url, { ca: lab.tls.ca, auth: { username: e.username, password: e.password } });
  });
  afterAll(async () => {
    client?.close();
    await lab?.stop();
  });

  it('serves every captured resource with the captured JSON shape', async () => {
    const problems: string[] = [];
    let served = 0;
    for (const path of capture.texts.keys()) {
      // Sessions belong to whoever is logged in: the captured ones are compared against ours.
      // (created right before: idle sessions expire on the lab's time scale).
      const livePath = /\/SessionService\/Sessions\/\d+$/.test(path)
        ? path.replace(/\d+$/, await newSession())
        : path;
      const r = await client.get(encodeURI(livePath));
      if (r.status !== 200) {
        problems.push(`${path}: HTTP ${r.status}`);
        continue;
      }
      served++;
      shapeDiff(capture.json(path), r.json, path, problems);
    }
    expect(problems).toEqual([]);
    expect(served).toBe(capture.texts.size);
  });

  it('keeps the captured shapes after updates: new firmware members and live jobs', async () => {
    const world = lab.world;
    const host = world.host('TEST001');
    // Apply new BIOS and NIC versions as a completed update would.
    for (const [fqdd, version] of [
      ['BIOS.Setup.1-1', '1.13.2'],
      ['NIC.Integrated.1-1-1', '22.91.5.10'],
    ] as const) {
      const cur = host.firmware.get(fqdd)!;
      host.firmware.set(fqdd, {
        version,
        previousVersion: cur.version,
        installedAt: new Date().toISOString(),
      });
    }
    const inv = (await client.get('/redfish/v1/UpdateService/FirmwareInventory')).json as {
      Members: Array<{ '@odata.id': string }>;
    };
    const ids = inv.Members.map((m) => m['@odata.id']);
    const problems: string[] = [];
    const pairs: Array<[string, string]> = [
      ['Installed-159-1.13.2__BIOS.Setup.1-1', 'Installed-159-1.8.2__BIOS.Setup.1-1'],
      ['Current-159-1.13.2__BIOS.Setup.1-1', 'Current-159-1.8.2__BIOS.Setup.1-1'],
      ['Previous-159-1.8.2__BIOS.Setup.1-1', 'Previous-159-1.2.4__BIOS.Setup.1-1'],
      [
        'Installed-108089-22.91.5.10__NIC.Integrated.1-1-1',
        'Installed-108089-21.80.16.95__NIC.Integrated.1-1-1',
      ],
      ['Previous-108089-21.80.16.95__NIC.Integrated.1-1-1', 'Previous-159-1.2.4__BIOS.Setup.1-1'],
    ];
    for (const [live, captured] of pairs) {
      const path = `/redfish/v1/UpdateService/FirmwareInventory/${live}`;
      expect(ids).toContain(path);
      const r = await client.get(encodeURI(path));
      expect(r.status).toBe(200);
      shapeDiff(
        capture.json(`/redfish/v1/UpdateService/FirmwareInventory/${captured}`),
        r.json,
        live,
        problems,
      );
    }
    const job = world.nextJobId();
    host.jobs.set(job, {
      id: job,
      name: 'Firmware Update: BIOS',
      jobType: 'FirmwareUpdate',
      state: 'Scheduled',
      percent: 0,
      message: 'Task successfully scheduled.',
      messageId: 'JCP001',
      startTime: '2026-01-01T00:00:00',
    });
    for (const [live, captured] of [
      [
        `/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs/${job}`,
        '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs/JID_102241909559',
      ],
      [
        `/redfish/v1/Managers/iDRAC.Embedded.1/Jobs/${job}`,
        '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs/JID_102241909559',
      ],
      [`/redfish/v1/JobService/Jobs/${job}`, '/redfish/v1/JobService/Jobs/JID_102241909559'],
    ] as const) {
      shapeDiff(capture.json(captured), (await client.get(live)).json, live, problems);
    }
    expect(problems).toEqual([]);
  });

  it('personalises identity: the service tag and UUID are the lab host’s, not the captured machine’s', async () => {
    const sys = (await client.get('/redfish/v1/Systems/System.Embedded.1')).json as Record<string, string>;
    expect(sys.SKU).toBe('TEST001');
    expect(sys.UUID).not.toBe('4c4c4544-0035-3410-8050-c6c04f314733');
    const all = await Promise.all(
      ['/redfish/v1', '/redfish/v1/Managers/iDRAC.Embedded.1/EthernetInterfaces/NIC.1'].map((p) =>
        client.get(p),
      ),
    );
    for (const r of all) {
      expect(r.text).not.toContain('F54P1G3');
      expect(r.text).not.toContain('10.180.247.199');
    }
  });
});
