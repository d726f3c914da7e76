import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RackOpsError } from '@rackops/core/util/errors';
import type { LabCert } from '../tls/lab-cert';
import type { World } from '../world/world';
import { readJson, sendJson } from './io';

export interface ControlServer {
  url: string;
  /** Bearer token for the control API (printed with the endpoints; loopback only). */
  token: string;
  close(): Promise<void>;
}

/**
 * The lab's control API, for tools that run the lab in another process (`npm run lab`):
 *   GET    /lab/hosts                 hosts with power, OS phase, connection, firmware summary
 *   GET    /lab/faults                hosts with faults
 *   PUT    /lab/faults/<serviceTag>   merge a faults patch (`{"rebootHangs": true}`)
 *   DELETE /lab/faults/<serviceTag>   clear a host's faults
 *   GET    /lab/tallies               per host: firmware packages uploaded (per package) and reboots requested
 * Authorization: `Bearer <token>`.
 */
export async function startControlServer(
  world: World,
  opts: { cert: LabCert; bindHost: string },
): Promise<ControlServer> {
  const token = randomBytes(16).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer({ key: opts.cert.key, cert: opts.cert.cert }, (req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      sendJson(res, 401, { error: 'unauthorized' });
      return;
    }
    const url = new URL(req.url ?? '/', 'https://lab');
    const faultsFor = /^\/lab\/faults\/([^/]+)$/.exec(url.pathname);
    const handle = async () => {
      if (req.method === 'GET' && url.pathname === '/lab/hosts') {
        return [...world.hosts.values()].map((h) => ({
          hostId: h.id,
          name: h.name,
          clusterId: h.clusterId,
          power: h.power,
          osPhase: h.osPhase,
          connectionState: h.connectionState,
          inMaintenanceMode: h.inMaintenanceMode,
          idrac: h.idrac,
          firmware: Object.fromEntries([...h.firmware].map(([fqdd, f]) => [fqdd, f.version])),
        }));
      }
      if (req.method === 'GET' && url.pathname === '/lab/faults') return world.faults.list();
      if (req.method === 'GET' && url.pathname === '/lab/tallies') return world.tallies.all();
      if (faultsFor && req.method === 'PUT') {
        const hostId = decodeURIComponent(faultsFor[1]!);
        world.host(hostId);
        const body = await readJson(req);
        return { hostId, faults: world.faults.set(hostId, (body ?? {}) as Record<string, unknown>) };
      }
      if (faultsFor && req.method === 'DELETE') {
        const hostId = decodeURIComponent(faultsFor[1]!);
        world.host(hostId);
        world.faults.clear(hostId);
        return { hostId, cleared: true };
      }
      return undefined;
    };
    handle().then(
      (body) => (body === undefined ? sendJson(res, 404, { error: 'not found' }) : sendJson(res, 200, body)),
      (e: unknown) => {
        const status =
          e instanceof RackOpsError
            ? e.code === 'not_found'
              ? 404
              : 400
            : e instanceof SyntaxError
              ? 400
              : 500;
        sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.bindHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${opts.bindHost}:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
