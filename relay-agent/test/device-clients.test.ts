import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificatePinError,
  DeviceHttpError,
  DeviceTimeoutError,
  DeviceUnreachableError,
  MalformedResponseError,
} from '../src/http/errors';
import { HttpClient } from '../src/http/http-client';
import { createTlsAgent } from '../src/http/tls-agent';
import type { TlsPolicy } from '../src/http/tls-policy';
import { RedfishClient } from '../src/redfish/redfish-client';
import { VsphereClient } from '../src/vsphere/vsphere-client';
import { json, startBadDevice } from './helpers/bad-device';

type Bad = Awaited<ReturnType<typeof startBadDevice>>;
let mode: 'ok' | 'badjson' | 'shape' | 'flaky' | 'down' | 'hang' | 'forbidden' = 'ok';
let dev: Bad;
let tmpCa: string;

const SYSTEM = 'GET /redfish/v1/Systems/System.Embedded.1';
const client = (tls: TlsPolicy, timeoutMs = 1000) =>
  new RedfishClient(
    new HttpClient({
      baseUrl: dev.url,
      device: 'idrac TEST',
      agent: createTlsAgent('idrac TEST', tls),
      timeoutMs,
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    }),
    { username: 'root', password: 'calvin' },
  );

beforeAll(async () => {
  let flaky = 0;
  dev = await startBadDevice({
    'POST /redfish/v1/SessionService/Sessions': json(
      201,
      {},
      { 'x-auth-token': 'tok-0123456789', location: '/redfish/v1/SessionService/Sessions/1' },
    ),
    [SYSTEM]: (req, res) => {
      if (mode === 'ok') return json(200, { Id: 'System.Embedded.1', PowerState: 'On' })(req, res, '');
      if (mode === 'badjson') return json(200, '{"Id": "System.Embedded.1", ')(req, res, '');
      if (mode === 'shape') return json(200, { Id: 42, PowerState: ['On'] })(req, res, '');
      if (mode === 'down') return json(503, { error: { message: 'busy' } })(req, res, '');
      if (mode === 'forbidden') return json(403, { error: { message: 'no privilege' } })(req, res, '');
      if (mode === 'flaky') {
        flaky++;
        if (flaky % 3 !== 0) return json(500, { error: { message: 'internal' } })(req, res, '');
        return json(200, { Id: 'System.Embedded.1', PowerState: 'Off' })(req, res, '');
      }
      // hang: never answer
    },
    'POST /sdk': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<html><body>not soap');
    },
  });
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  tmpCa = join(mkdtempSync(join(tmpdir(), 'relay-ca-')), 'ca.pem');
  writeFileSync(tmpCa, dev.cert.cert);
});
afterAll(async () => {
  await dev?.close();
});

describe('device TLS', () => {
  it('connects when the pinned SHA-256 matches', async () => {
    mode = 'ok';
    const bytes = dev.appBytes();
    expect((await client({ mode: 'pin', sha256: dev.cert.sha256 }).system()).PowerState).toBe('On');
    expect(dev.appBytes()).toBeGreaterThan(bytes);
  });

  it('refuses a certificate that does not match the pin, before sending any request', async () => {
    const before = dev.requests();
    const bytesBefore = dev.appBytes();
    const wrong = dev.cert.sha256.replace(/^../, dev.cert.sha256.startsWith('00') ? '11' : '00');
    const err = await client({ mode: 'pin', sha256: wrong })
      .system()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificatePinError);
    expect((err as Error).message).toMatch(/does not match the pinned/);
    expect((err as CertificatePinError).retryable).toBe(false);
    expect(dev.requests()).toBe(before);
    await new Promise((r) => setTimeout(r, 50));
    expect(dev.appBytes()).toBe(bytesBefore);
  });

  it('verifies against a CA file', async () => {
    mode = 'ok';
    expect((await client({ mode: 'ca', caFile: tmpCa }).system()).Id).toBe('System.Embedded.1');
  });

  it('rejects a device whose certificate another CA signed', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { createLabCert } = await import('@rackops/lab/tls/lab-cert');
    const other = join(mkdtempSync(join(tmpdir(), 'relay-ca-')), 'other.pem');
    writeFileSync(other, (await createLabCert('someone-else')).cert);
    await expect(client({ mode: 'ca', caFile: other }).system()).rejects.toBeInstanceOf(
      DeviceUnreachableError,
    );
  });
});

describe('malformed device responses give typed errors', () => {
  const pinned = () => client({ mode: 'pin', sha256: dev.cert.sha256 }, 300);

  it('bad JSON → MalformedResponseError', async () => {
    mode = 'badjson';
    await expect(pinned().system()).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('wrong shape → MalformedResponseError naming the field', async () => {
    mode = 'shape';
    const err = await pinned()
      .system()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as Error).message).toMatch(/Id/);
  });

  it('5xx is retried with backoff, then succeeds', async () => {
    mode = 'flaky';
    const before = dev.hits.get(SYSTEM) ?? 0;
    expect((await pinned().system()).PowerState).toBe('Off');
    expect((dev.hits.get(SYSTEM) ?? 0) - before).toBe(3);
  });

  it('persistent 5xx → DeviceHttpError (retryable) after the configured attempts', async () => {
    mode = 'down';
    const before = dev.hits.get(SYSTEM) ?? 0;
    const err = await pinned()
      .system()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceHttpError);
    expect(err).toMatchObject({ status: 503, retryable: true, code: 'http_503' });
    expect((dev.hits.get(SYSTEM) ?? 0) - before).toBe(3);
  });

  it('4xx is never retried', async () => {
    mode = 'forbidden';
    const before = dev.hits.get(SYSTEM) ?? 0;
    await expect(pinned().system()).rejects.toMatchObject({
      status: 403,
      code: 'device_auth',
      retryable: false,
    });
    expect((dev.hits.get(SYSTEM) ?? 0) - before).toBe(1);
  });

  it('no answer → DeviceTimeoutError', async () => {
    mode = 'hang';
    await expect(pinned().system()).rejects.toBeInstanceOf(DeviceTimeoutError);
  });

  it('a vCenter answering HTML instead of SOAP → MalformedResponseError', async () => {
    const vc = new VsphereClient(
      new HttpClient({
        baseUrl: dev.url,
        device: 'vcenter TEST',
        agent: createTlsAgent('vcenter TEST', { mode: 'pin', sha256: dev.cert.sha256 }),
        timeoutMs: 1000,
      }),
      { username: 'a', password: 'b' },
    );
    await expect(vc.serviceContent()).rejects.toBeInstanceOf(MalformedResponseError);
  });
});
