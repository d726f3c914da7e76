import type { IncomingMessage, ServerResponse } from 'node:http';
import { MultiPortTlsServer } from '../http/multi-port-server';
import { send, sendJson } from '../http/io';
import type { LabCert } from '../tls/lab-cert';
import type { HostState } from '../world/types';
import type { World } from '../world/world';
import { runDelete, runPost } from './actions';
import { authenticate } from './auth';
import { NO_VALID_SESSION, notFound, redfishError } from './redfish-errors';
import {
  PAGED_COLLECTION,
  fromCapturePaths,
  pageOf,
  serviceRootFor,
  toCapturePath,
  traitsOf,
} from './personality';
import { SESSIONS, expandMembers, renderGet } from './render';

export interface IdracEndpoint {
  hostId: string;
  url: string;
  port: number;
}

export interface IdracServer {
  endpoints: IdracEndpoint[];
  close(): Promise<void>;
}

const PUBLIC_GET = new Set(['/redfish', '/redfish/v1', '/redfish/v1/odata']);
const HEADERS = { 'OData-Version': '4.0', Server: 'Apache', 'Cache-Control': 'no-cache' };

/**
 * One HTTPS endpoint per host (`https://127.0.0.1:<port>`), all served by one TLS server.
 * Every request passes the host's faults first (iDRAC resetting, dropped, slow, 5xx).
 */
export async function startIdracServer(
  world: World,
  opts: { cert: LabCert; bindHost?: string },
): Promise<IdracServer> {
  const bindHost = opts.bindHost ?? '127.0.0.1';
  const hostByPort = new Map<number, HostState>();
  const portByHost = new Map<string, number>();
  const delays = new Set<NodeJS.Timeout>();

  const server = new MultiPortTlsServer(
    opts.cert,
    (req, res, port) => {
      const host = hostByPort.get(port);
      if (!host) {
        send(res, 404, undefined);
        return;
      }
      if (host.idrac === 'resetting' || world.faults.shouldDrop(host.id)) {
        req.socket.destroy();
        return;
      }
      const go = () => {
        handle(world, host, req, res, opts.cert.cert).catch((e: unknown) => {
          process.stderr.write(`lab idrac ${host.id}: ${e instanceof Error ? e.stack : String(e)}\n`);
          sendJson(
            res,
            500,
            redfishError('Base.1.12.InternalError', 'The request failed due to an internal service error.'),
            HEADERS,
          );
        });
      };
      const slow = world.faults.get(host.id).slowMs;
      if (slow > 0) {
        const t = setTimeout(() => {
          delays.delete(t);
          go();
        }, slow);
        delays.add(t);
      } else go();
    },
    (port) => hostByPort.get(port)?.idrac !== 'resetting',
  );

  const hosts = [...world.hosts.values()];
  const endpoints: IdracEndpoint[] = [];
  // Listen in chunks: thousands of simultaneous listen() calls gain nothing.
  for (let i = 0; i < hosts.length; i += 256) {
    const chunk = hosts.slice(i, i + 256);
    const ports = await Promise.all(chunk.map(() => server.listen(bindHost)));
    chunk.forEach((h, k) => {
      const port = ports[k]!;
      hostByPort.set(port, h);
      portByHost.set(h.id, port);
      endpoints.push({ hostId: h.id, port, url: `https://${bindHost}:${port}` });
    });
  }
  // An iDRAC that resets drops every open connection (and its sessions, see resetIdrac).
  const off = world.events.on('idrac-reset-started', ({ hostId }) => {
    const port = portByHost.get(hostId);
    if (port !== undefined) server.destroyConnections(port);
  });

  return {
    endpoints,
    async close() {
      off();
      for (const t of delays) clearTimeout(t);
      delays.clear();
      await server.close();
    },
  };
}

async function handle(world: World, host: HostState, req: IncomingMessage, res: ServerResponse, ca: string) {
  if (world.faults.shouldFail(host.id)) {
    sendJson(
      res,
      503,
      redfishError('Base.1.12.ServiceTemporarilyUnavailable', 'The service is temporarily unavailable.'),
      {
        ...HEADERS,
        'Retry-After': '5',
      },
    );
    return;
  }
  const url = new URL(req.url ?? '/', 'https://idrac');
  let path: string;
  let query: string;
  try {
    path = decodeURIComponent(url.pathname);
    query = decodeURIComponent(url.search);
  } catch {
    sendJson(res, 400, redfishError('Base.1.12.MalformedURI', 'The URI is malformed.'), HEADERS);
    return;
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const method = req.method ?? 'GET';
  // This generation's paths -> the capture's; what it does not have is 404 before anything else.
  const personality = host.idracPersonality;
  const capturePath = toCapturePath(personality, path);
  if (capturePath === undefined) {
    req.resume();
    sendJson(res, 404, notFound(path), HEADERS);
    return;
  }
  const requestPath = path;
  path = capturePath;
  const isPublic = (method === 'GET' && PUBLIC_GET.has(path)) || (method === 'POST' && path === SESSIONS);
  if (!isPublic && !authenticate(world, host, req)) {
    sendJson(res, 401, NO_VALID_SESSION, { ...HEADERS, 'WWW-Authenticate': 'Basic realm="RedfishService"' });
    return;
  }
  const ctx = { world, host, req, path, ca };
  const expand = url.searchParams.has('$expand');
  if (expand && !traitsOf(personality).expand) {
    // DSP0266: a service answers 501 to a query parameter it does not implement.
    req.resume();
    sendJson(
      res,
      501,
      redfishError('Base.1.2.QueryNotSupported', 'Querying is not supported by the implementation.'),
      HEADERS,
    );
    return;
  }
  if (method === 'GET' || method === 'HEAD') {
    let r = renderGet(world, host, path, query);
    if (r && 'json' in r) r = { json: asServed(world, host, r.json, requestPath, url.searchParams, expand) };
    if (!r) {
      sendJson(res, 404, notFound(requestPath), HEADERS);
      return;
    }
    const body = 'json' in r ? r.json : r.raw;
    const type = 'json' in r ? 'application/json;odata.metadata=minimal;charset=utf-8' : r.contentType;
    send(res, 200, method === 'HEAD' ? undefined : body, { ...HEADERS, 'Content-Type': type });
    return;
  }
  const result =
    method === 'POST' ? await runPost(ctx) : method === 'DELETE' ? await runDelete(ctx) : undefined;
  if (!result) {
    req.resume();
    const exists = renderGet(world, host, path) !== undefined;
    if (exists) {
      sendJson(
        res,
        405,
        redfishError('Base.1.12.OperationNotAllowed', `${method} is not allowed on ${path}.`),
        HEADERS,
      );
    } else {
      sendJson(res, 404, notFound(requestPath), HEADERS);
    }
    return;
  }
  if (result.body === undefined) send(res, result.status, undefined, { ...HEADERS, ...result.headers });
  else sendJson(res, result.status, result.body, { ...HEADERS, ...result.headers });
}

/**
 * A rendered JSON resource as this host's generation serves it: the service root's features, collections
 * paged at 50 (members inline for `$expand`, on the page only), the capture's OEM paths moved.
 */
function asServed(
  world: World,
  host: HostState,
  json: string,
  path: string,
  params: URLSearchParams,
  expand: boolean,
): string {
  const personality = host.idracPersonality;
  let text = json;
  if (path === '/redfish/v1') {
    text = JSON.stringify(serviceRootFor(personality, JSON.parse(text) as Record<string, unknown>));
  } else if (PAGED_COLLECTION.test(path) || (expand && text.includes('"Members"'))) {
    const o = JSON.parse(text) as Record<string, unknown>;
    const page = PAGED_COLLECTION.test(path) ? pageOf(o, path, params) : o;
    text = JSON.stringify(page);
    if (expand) {
      const r = expandMembers(world, host, { json: text });
      if ('json' in r) text = r.json;
    }
  }
  return fromCapturePaths(personality, text);
}
