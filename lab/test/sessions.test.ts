import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './helpers/https-client';
import { type LabFixture, startTestLab } from './helpers/lab-fixture';

describe('iDRAC sessions and authentication', () => {
  let f: LabFixture;
  beforeAll(async () => {
    f = await startTestLab();
  });
  afterAll(async () => {
    await f?.stop();
  });

  const anon = () => {
    const e = f.lab.endpoints.idracs[0]!;
    return createClient(e.url, { ca: f.lab.tls.ca });
  };

  it('serves the service root without credentials but nothing else', async () => {
    const c = anon();
    expect((await c.get('/redfish/v1')).status).toBe(200);
    const r = await c.get('/redfish/v1/Systems/System.Embedded.1');
    expect(r.status).toBe(401);
    expect(JSON.stringify(r.json)).toContain('NoValidSession');
    c.close();
  });

  it('accepts Basic auth with root/calvin and answers 401 to a wrong password', async () => {
    const e = f.lab.endpoints.idracs[0]!;
    const good = createClient(e.url, { ca: f.lab.tls.ca, auth: { username: 'root', password: 'calvin' } });
    const bad = createClient(e.url, { ca: f.lab.tls.ca, auth: { username: 'root', password: 'wrong' } });
    expect((await good.get('/redfish/v1/Systems/System.Embedded.1')).status).toBe(200);
    expect((await bad.get('/redfish/v1/Systems/System.Embedded.1')).status).toBe(401);
    good.close();
    bad.close();
  });

  it('creates a session with X-Auth-Token, lists it, and deletes it', async () => {
    const c = anon();
    const bad = await c.post('/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: 'nope' });
    expect(bad.status).toBe(401);
    const s = await c.post('/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: 'calvin' });
    expect(s.status).toBe(201);
    const token = s.headers['x-auth-token'] as string;
    const location = s.headers.location as string;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\d+$/);
    const auth = { auth: { token } };
    expect((await c.get('/redfish/v1/Systems/System.Embedded.1', auth)).status).toBe(200);
    const list = (await c.get('/redfish/v1/SessionService/Sessions', auth)).json as {
      Members: Array<{ '@odata.id': string }>;
    };
    expect(list.Members.map((m) => m['@odata.id'])).toContain(location);
    expect((await c.delete(location, auth)).status).toBe(200);
    expect((await c.get('/redfish/v1/Systems/System.Embedded.1', auth)).status).toBe(401);
    expect(
      (await c.get('/redfish/v1/Systems/System.Embedded.1', { auth: { token: 'f'.repeat(32) } })).status,
    ).toBe(401);
    c.close();
  });

  it('presents the lab certificate: a client that does not trust it fails the handshake', async () => {
    const e = f.lab.endpoints.idracs[0]!;
    const other = createClient(e.url, {
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    });
    await expect(other.get('/redfish/v1')).rejects.toThrow();
    other.close();
    expect(e.certSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('gives each host its own endpoint with its own identity', async () => {
    const [a, b] = f.lab.endpoints.idracs;
    expect(a!.url).not.toBe(b!.url);
    const skuA = (
      (await f.client(a!.hostId).get('/redfish/v1/Systems/System.Embedded.1')).json as { SKU: string }
    ).SKU;
    const skuB = (
      (await f.client(b!.hostId).get('/redfish/v1/Systems/System.Embedded.1')).json as { SKU: string }
    ).SKU;
    expect([skuA, skuB]).toEqual([a!.hostId, b!.hostId]);
  });
});

describe('iDRAC session limits', () => {
  let f: LabFixture;
  beforeAll(async () => {
    // 1/6000: the 30-minute idle timeout is 300 ms.
    f = await startTestLab();
  });
  afterAll(async () => {
    await f?.stop();
  });

  const login = () =>
    f
      .client('TEST002')
      .post('/redfish/v1/SessionService/Sessions', { UserName: 'root', Password: 'calvin' }, { auth: null });

  it('allows 8 sessions; the 9th login is refused until one is closed', async () => {
    const made = [];
    for (let i = 0; i < 8; i++) made.push(await login());
    expect(made.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ninth = await login();
    expect(ninth.status).toBe(400);
    expect(JSON.stringify(ninth.json)).toContain('RAC0218');
    const first = made[0]!;
    const token = first.headers['x-auth-token'] as string;
    expect(
      (await f.client('TEST002').delete(first.headers.location as string, { auth: { token } })).status,
    ).toBe(200);
    expect((await login()).status).toBe(201);
  });

  it('expires sessions left idle longer than the (scaled) web server timeout', async () => {
    await new Promise((r) => setTimeout(r, 400));
    const s = await login();
    expect(s.status).toBe(201);
    const token = s.headers['x-auth-token'] as string;
    const c = f.client('TEST002');
    expect((await c.get('/redfish/v1/Systems/System.Embedded.1', { auth: { token } })).status).toBe(200);
    const list = (await c.get('/redfish/v1/SessionService/Sessions')).json as { Members: unknown[] };
    expect(list.Members).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 400));
    expect((await c.get('/redfish/v1/Systems/System.Embedded.1', { auth: { token } })).status).toBe(401);
  });
});
