import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readJson, sendJson, send } from '../http/io';
import { listenTls } from '../http/listen-tls';
import type { LabCert } from '../tls/lab-cert';
import type { HostState } from '../world/types';
import type { World } from '../world/world';
import { deviceIdOf, deviceJson, omeTime } from './ome-devices';
import { BAD_REQUEST, INTERNAL, INVALID_CREDENTIALS, NOT_FOUND, UNAUTHORIZED } from './ome-errors';
import { parseDeviceFilter } from './ome-filter';
import { INVENTORY_TYPES, type InventoryType, inventoryDetail } from './ome-inventory';
import { type OmeSession, OmeSessionStore, sameSecret } from './ome-sessions';

export interface OmeServerOptions {
  cert: LabCert;
  /** The OME's id in the lab config (informational). */
  id?: string;
  bindHost?: string;
  port?: number;
  /** Devices per page when the client sets no `$top` (OME pages large collections). */
  defaultPageSize?: number;
}

export interface OmeServer {
  readonly url: string;
  close(): Promise<void>;
}

const SessionRequest = z.object({
  UserName: z.string(),
  Password: z.string(),
  SessionType: z.string().default('API'),
});

const DEVICE = /^\/api\/DeviceService\/Devices\((\d+)\)(?:\/InventoryDetails(?:\('([A-Za-z]+)'\))?)?$/;
const SESSION = /^\/api\/SessionService\/Sessions\('([0-9a-f-]+)'\)$/;

/**
 * A simulated OpenManage Enterprise: API sessions, the device collection (paged with
 * `@odata.nextLink`, `$top`/`$skip`, simple `$filter`), and per-device inventory including firmware.
 * It manages every server in the lab.
 */
export async function startOmeServer(world: World, opts: OmeServerOptions): Promise<OmeServer> {
  const sessions = new OmeSessionStore();
  const discoveredAt = world.clock.now();
  const pageSize = opts.defaultPageSize ?? 50;
  const creds = world.credentials.ome;
  const hostsById = new Map<number, HostState>([...world.hosts.values()].map((h) => [deviceIdOf(h), h]));
  const sortedHosts = () => [...world.hosts.values()].sort((a, b) => deviceIdOf(a) - deviceIdOf(b));

  const authenticate = (req: IncomingMessage): OmeSession | 'basic' | undefined => {
    const token = req.headers['x-auth-token'];
    const session = sessions.byTokenValue(Array.isArray(token) ? token[0] : token);
    if (session) {
      session.lastAccessedAt = world.clock.now();
      return session;
    }
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      if (sameSecret(user ?? '', creds.username) && sameSecret(rest.join(':'), creds.password))
        return 'basic';
    }
    return undefined;
  };

  const sessionJson = (s: OmeSession, ip: string) => ({
    '@odata.context': '/api/$metadata#SessionService.Session',
    '@odata.type': '#SessionService.Session',
    '@odata.id': `/api/SessionService/Sessions('${s.id}')`,
    Id: s.id,
    Description: s.userName,
    Name: 'API',
    UserName: s.userName,
    UserId: 10_078,
    Password: null,
    Roles: ['ADMINISTRATOR'],
    IpAddress: ip,
    StartTimeStamp: omeTime(s.startedAt),
    LastAccessedTimeStamp: omeTime(s.lastAccessedAt),
    DirectoryGroup: [],
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://ome');
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '');
    if (path === '/api/SessionService/Sessions' && req.method === 'POST') {
      let body: z.infer<typeof SessionRequest>;
      try {
        body = SessionRequest.parse(await readJson(req));
      } catch {
        sendJson(res, 400, BAD_REQUEST('UserName/Password'));
        return;
      }
      if (!sameSecret(body.UserName, creds.username) || !sameSecret(body.Password, creds.password)) {
        sendJson(res, 401, INVALID_CREDENTIALS);
        return;
      }
      const s = sessions.create(creds.username, world.clock.now());
      sendJson(res, 201, sessionJson(s, req.socket.remoteAddress ?? '127.0.0.1'), {
        'X-Auth-Token': s.token,
        Location: `/api/SessionService/Sessions('${s.id}')`,
      });
      return;
    }
    const who = authenticate(req);
    if (!who) {
      sendJson(res, 401, UNAUTHORIZED);
      return;
    }
    const session = SESSION.exec(path);
    if (session) {
      const s = sessions.byId(session[1]!);
      if (!s) sendJson(res, 404, NOT_FOUND);
      else if (req.method === 'DELETE') {
        sessions.delete(s);
        send(res, 204, undefined);
      } else sendJson(res, 200, sessionJson(s, req.socket.remoteAddress ?? '127.0.0.1'));
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, NOT_FOUND);
      return;
    }
    if (path === '/api/DeviceService/Devices') {
      listDevices(url, res);
      return;
    }
    const m = DEVICE.exec(path);
    const host = m ? hostsById.get(Number(m[1])) : undefined;
    if (!m || !host) {
      sendJson(res, 404, NOT_FOUND);
      return;
    }
    const isInventory = path.includes('/InventoryDetails');
    const type = m[2];
    if (!isInventory)
      sendJson(res, 200, {
        '@odata.context': '/api/$metadata#DeviceService.Device',
        ...deviceJson(world, host, discoveredAt),
      });
    else if (type === undefined) {
      const value = INVENTORY_TYPES.map((t) => inventoryDetail(world, host, t));
      sendJson(res, 200, {
        '@odata.context': '/api/$metadata#Collection(DeviceService.InventoryDetail)',
        '@odata.count': value.length,
        value,
      });
    } else if ((INVENTORY_TYPES as readonly string[]).includes(type)) {
      sendJson(res, 200, {
        '@odata.context': '/api/$metadata#DeviceService.InventoryDetail',
        '@odata.type': '#DeviceService.InventoryDetail',
        ...inventoryDetail(world, host, type as InventoryType),
      });
    } else sendJson(res, 404, NOT_FOUND);
  };

  const listDevices = (url: URL, res: ServerResponse) => {
    const param = (name: string) => url.searchParams.get(`$${name}`) ?? url.searchParams.get(name);
    const top = Number(param('top') ?? pageSize);
    const skip = Number(param('skip') ?? 0);
    if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0) {
      sendJson(res, 400, BAD_REQUEST('$top/$skip'));
      return;
    }
    const filterExpr = param('filter');
    const filter = filterExpr ? parseDeviceFilter(filterExpr) : () => true;
    if (!filter) {
      sendJson(res, 400, BAD_REQUEST('$filter'));
      return;
    }
    const all = sortedHosts().filter(filter);
    const page = all.slice(skip, skip + top);
    const next = new URLSearchParams();
    if (filterExpr) next.set('$filter', filterExpr);
    next.set('$skip', String(skip + top));
    next.set('$top', String(top));
    sendJson(res, 200, {
      '@odata.context': '/api/$metadata#Collection(DeviceService.Device)',
      '@odata.count': all.length,
      value: page.map((h) => deviceJson(world, h, discoveredAt)),
      ...(skip + top < all.length
        ? { '@odata.nextLink': `/api/DeviceService/Devices?${decodeURIComponent(next.toString())}` }
        : {}),
    });
  };

  const listener = await listenTls(opts, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`lab ome: ${e instanceof Error ? e.stack : String(e)}\n`);
      sendJson(res, 500, INTERNAL);
    });
  });
  return { url: listener.url, close: () => listener.close() };
}
