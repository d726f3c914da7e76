import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HostState, RedfishSession } from '../world/types';
import type { World } from '../world/world';

const eq = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function checkCredentials(world: World, username: unknown, password: unknown): boolean {
  const c = world.credentials.idrac;
  return (
    typeof username === 'string' &&
    typeof password === 'string' &&
    eq(username, c.username) &&
    eq(password, c.password)
  );
}

/** iDRAC9 limits: `WebServer.1.MaxNumberOfSessions` and `WebServer.1.Timeout` (seconds idle) as captured. */
export const MAX_SESSIONS = 8;
export const SESSION_IDLE_TIMEOUT_MS = 1_800_000;

/** Drop sessions idle longer than the (time-scaled) web server timeout, as the iDRAC does. */
export function expireSessions(world: World, host: HostState): void {
  const now = Date.now();
  const idle = world.clock.scaled(SESSION_IDLE_TIMEOUT_MS);
  for (const [id, s] of host.sessions) if (now - s.lastUsedMs > idle) host.sessions.delete(id);
}

/** `X-Auth-Token` of a live session, or HTTP Basic with the iDRAC credentials. */
export function authenticate(
  world: World,
  host: HostState,
  req: IncomingMessage,
): { username: string } | undefined {
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string' && token) {
    expireSessions(world, host);
    for (const s of host.sessions.values()) {
      if (eq(s.token, token)) {
        s.lastUsedMs = Date.now();
        return { username: s.username };
      }
    }
    return undefined;
  }
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0 && checkCredentials(world, decoded.slice(0, i), decoded.slice(i + 1)))
      return { username: decoded.slice(0, i) };
  }
  return undefined;
}

let sessionCounter = 300;

/** A new session, or undefined when the iDRAC already has MAX_SESSIONS live ones. */
export function createSession(world: World, host: HostState, username: string): RedfishSession | undefined {
  expireSessions(world, host);
  if (host.sessions.size >= MAX_SESSIONS) return undefined;
  const s: RedfishSession = {
    id: String(++sessionCounter),
    token: randomBytes(16).toString('hex'),
    username,
    createdAt: new Date().toISOString(),
    lastUsedMs: Date.now(),
  };
  host.sessions.set(s.id, s);
  return s;
}
