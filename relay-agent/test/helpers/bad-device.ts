import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { createLabCert, type LabCert } from '@rackops/lab/tls/lab-cert';

export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * A loopback HTTPS server that answers whatever the test tells it to — for device misbehaviour
 * the lab does not model (bad JSON, wrong shapes, hanging). Counts requests per path.
 */
export async function startBadDevice(routes: Record<string, Route>): Promise<{
  url: string;
  cert: LabCert;
  hits: Map<string, number>;
  requests(): number;
  appBytes(): number;
  close(): Promise<void>;
}> {
  const cert = await createLabCert('bad-device');
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = `${req.method} ${req.url?.split('?')[0]}`;
      hits.set(key, (hits.get(key) ?? 0) + 1);
      const route = routes[key];
      if (!route) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":{"message":"no such resource"}}');
        return;
      }
      route(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  // Application bytes that reached the device at all (a pinned client must send none on mismatch).
  let appBytes = 0;
  server.on('secureConnection', (s) => s.on('data', (d: Buffer) => (appBytes += d.length)));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    cert,
    hits,
    requests: () => [...hits.values()].reduce((a, b) => a + b, 0),
    appBytes: () => appBytes,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Route =>
  (_q, res) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
  };
