import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { World } from '../world/world';
import { buildLabRepository, type LabRepository } from './lab-repository';

/** Where the catalog lives under a lab server: `<origin>/catalog/Catalog.xml`, packages beside it. */
export const CATALOG_PREFIX = '/catalog/';
export const CATALOG_FILE = 'Catalog.xml';

/**
 * Request handler for the lab's firmware repository, mountable on any lab HTTPS server: returns
 * false for requests outside `/catalog/` so the caller can route them elsewhere. Catalog.xml is served
 * as Dell publishes it (UTF-16 LE with a byte-order mark) with `baseLocation` set to the host the
 * client used, so package URLs resolve to this same server.
 */
export function createCatalogRequestHandler(
  world: World,
  repo: LabRepository = buildLabRepository(world),
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const xmlByBase = new Map<string, Buffer>();
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'https://lab.invalid');
    if (!url.pathname.startsWith(CATALOG_PREFIX)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, req, 405, 'text/plain', Buffer.from('method not allowed\n'), { Allow: 'GET, HEAD' });
      return true;
    }
    const rel = decodeURIComponent(url.pathname.slice(CATALOG_PREFIX.length));
    if (rel === CATALOG_FILE) {
      const base = `${req.headers.host ?? '127.0.0.1'}${CATALOG_PREFIX.slice(0, -1)}`;
      let body = xmlByBase.get(base);
      if (!body) {
        body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(repo.catalogXml(base), 'utf16le')]);
        xmlByBase.set(base, body);
      }
      reply(res, req, 200, 'application/xml; charset=utf-16', body);
      return true;
    }
    const pkg = repo.packages.get(rel);
    if (!pkg) {
      reply(res, req, 404, 'text/plain', Buffer.from(`no package ${rel}\n`));
      return true;
    }
    reply(res, req, 200, 'application/octet-stream', pkg.payload, { 'X-Checksum-Sha256': pkg.sha256 });
    return true;
  };
}

function reply(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  body: Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(body.length), ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface CatalogServer {
  /** `https://127.0.0.1:<port>/catalog/Catalog.xml` */
  catalogUrl: string;
  repo: LabRepository;
  stop(): Promise<void>;
}

/** A standalone HTTPS server for the repository (the lab's cert), on loopback, ephemeral port. */
export async function startCatalogServer(
  world: World,
  opts: { tls: { key: string; cert: string }; host?: string; port?: number },
): Promise<CatalogServer> {
  const repo = buildLabRepository(world);
  const handle = createCatalogRequestHandler(world, repo);
  const server: Server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    if (!handle(req, res)) reply(res, req, 404, 'text/plain', Buffer.from('not found\n'));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    catalogUrl: `https://${host}:${port}${CATALOG_PREFIX}${CATALOG_FILE}`,
    repo,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
