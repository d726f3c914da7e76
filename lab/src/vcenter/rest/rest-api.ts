import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { VcInventory } from '../model/inventory';
import { vmDiskBytes } from '../model/storage-network-objects';
import { vmNumCpu } from '../model/vm-object';
import type { SessionStore } from '../sessions';
import type { World } from '../../world/world';

/**
 * The vSphere Automation REST API subset (vCenter 7.0 U2+ `/api` paths): sessions and the read-only
 * list calls. Lists are arrays of summaries, in the field names and enum spellings vCenter uses;
 * `/api/vcenter/vm` refuses to list more than 4,000 VMs, as vCenter does.
 */
export const REST_VM_LIMIT = 4000;

interface RestDeps {
  readonly world: World;
  readonly inventory: VcInventory;
  readonly sessions: SessionStore;
  readonly credentials: { username: string; password: string };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

const error = (type: string, id: string, message: string) => ({
  error_type: type,
  messages: [{ args: [], default_message: message, id }],
});

const unauthenticated = () =>
  error(
    'UNAUTHENTICATED',
    'com.vmware.vapi.endpoint.method.authentication.required',
    'Authentication required.',
  );

function basicAuth(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `?names=a&names=b` and vCenter's older `filter.names=a` spelling. */
function filterValues(url: URL, name: string): Set<string> | undefined {
  const values = [...url.searchParams.getAll(name), ...url.searchParams.getAll(`filter.${name}`)];
  return values.length > 0 ? new Set(values) : undefined;
}

const POWER = { poweredOn: 'POWERED_ON', poweredOff: 'POWERED_OFF', suspended: 'SUSPENDED' } as const;
const CONNECTION = {
  connected: 'CONNECTED',
  notResponding: 'NOT_RESPONDING',
  disconnected: 'DISCONNECTED',
} as const;

/** Handles `/api/...`; returns false when the path is not one of ours. */
export function handleRest(deps: RestDeps, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const { inventory, sessions, credentials, world } = deps;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/api/session') {
    if (req.method === 'POST') {
      const auth = basicAuth(req.headers.authorization);
      if (
        !auth ||
        !same(auth.user.toLowerCase(), credentials.username.toLowerCase()) ||
        !same(auth.password, credentials.password)
      ) {
        send(
          res,
          401,
          error('UNAUTHENTICATED', 'vapi.security.authentication.invalid', 'Authentication required.'),
        );
        return true;
      }
      send(res, 201, sessions.create(credentials.username, world.clock.now()).key);
      return true;
    }
    const session = sessions.get(headerOf(req, 'vmware-api-session-id'));
    if (!session) {
      send(res, 401, unauthenticated());
      return true;
    }
    if (req.method === 'DELETE') {
      sessions.delete(session.key);
      send(res, 204);
    } else if (req.method === 'GET') {
      send(res, 200, {
        user: `VSPHERE.LOCAL\\${session.userName.split('@')[0]}`,
        created_time: session.loginTime.toISOString(),
        last_accessed_time: session.lastActiveTime.toISOString(),
      });
    } else send(res, 405, error('OPERATION_NOT_FOUND', 'vapi.method.not.found', 'Method not allowed.'));
    return true;
  }
  const list = LISTS[path];
  if (!list) return false;
  if (!sessions.get(headerOf(req, 'vmware-api-session-id'))) {
    send(res, 401, unauthenticated());
    return true;
  }
  if (req.method !== 'GET') {
    send(res, 405, error('OPERATION_NOT_FOUND', 'vapi.method.not.found', 'Method not allowed.'));
    return true;
  }
  const result = list({ inventory, world }, url);
  if (result === 'too-many') {
    send(
      res,
      400,
      error(
        'UNABLE_TO_ALLOCATE_RESOURCE',
        'com.vmware.api.vcenter.vm.max_limit_exceeded',
        `Too many virtual machines. Add more filter criteria to reduce the number to ${REST_VM_LIMIT} or less.`,
      ),
    );
  } else send(res, 200, result);
  return true;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Lister = (deps: { inventory: VcInventory; world: World }, url: URL) => unknown[] | 'too-many';

const LISTS: Record<string, Lister> = {
  '/api/vcenter/cluster': ({ inventory }, url) => {
    const names = filterValues(url, 'names');
    const ids = filterValues(url, 'clusters');
    return inventory
      .allClusters()
      .filter((c) => !c.standalone && (!names || names.has(c.name)) && (!ids || ids.has(c.moref)))
      .map((c) => ({
        drs_enabled: c.drsEnabled,
        cluster: c.moref,
        name: c.name,
        ha_enabled: c.ha.haEnabled,
      }));
  },
  '/api/vcenter/host': ({ inventory, world }, url) => {
    const names = filterValues(url, 'names');
    const clusters = filterValues(url, 'clusters');
    const states = filterValues(url, 'connection_states');
    return inventory
      .allHosts()
      .filter(
        (h) =>
          (!names || names.has(h.name)) &&
          (!clusters || clusters.has(world.cluster(h.clusterId).moref)) &&
          (!states || states.has(CONNECTION[h.connectionState])),
      )
      .map((h) => ({
        host: h.moref,
        name: h.name,
        connection_state: CONNECTION[h.connectionState],
        // vCenter omits power_state for hosts it cannot reach.
        ...(h.connectionState === 'connected'
          ? { power_state: h.power === 'On' ? 'POWERED_ON' : 'POWERED_OFF' }
          : {}),
      }));
  },
  '/api/vcenter/vm': ({ inventory, world }, url) => {
    const names = filterValues(url, 'names');
    const hosts = filterValues(url, 'hosts');
    const clusters = filterValues(url, 'clusters');
    const power = filterValues(url, 'power_states');
    const vms = inventory
      .allVms()
      .filter(
        (v) =>
          (!names || names.has(v.name)) &&
          (!hosts || hosts.has(world.host(v.hostId).moref)) &&
          (!clusters || clusters.has(world.cluster(v.clusterId).moref)) &&
          (!power || power.has(POWER[v.powerState])),
      );
    if (vms.length > REST_VM_LIMIT) return 'too-many';
    return vms.map((v) => ({
      memory_size_MiB: v.memoryMiB,
      vm: v.moref,
      name: v.name,
      power_state: POWER[v.powerState],
      cpu_count: vmNumCpu(v),
    }));
  },
  '/api/vcenter/datastore': ({ inventory, world }, url) => {
    const names = filterValues(url, 'names');
    return [...inventory.datastores.values()]
      .filter((d) => !names || names.has(d.name))
      .map((d) => {
        const used = d.hostIds
          .flatMap((id) => world.vmsOnHost(id))
          .filter((v) => (d.local ? v.devices.localStorage : !v.devices.localStorage))
          .reduce((s, v) => s + vmDiskBytes(v.memoryMiB), 0);
        return {
          datastore: d.moref,
          name: d.name,
          type: 'VMFS',
          free_space: Math.max(0, Math.round(d.capacity - used)),
          capacity: Math.round(d.capacity),
        };
      });
  },
  '/api/vcenter/network': ({ inventory }, url) => {
    const names = filterValues(url, 'names');
    return inventory.networks
      .filter((n) => !names || names.has(n.name))
      .map((n) => ({ name: n.name, type: 'STANDARD_PORTGROUP', network: n.moref }));
  },
};
