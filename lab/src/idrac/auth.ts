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

/** `X-Auth-Token` of a live session, or HTTP Basic with the iDRAC credentials. */
export function authenticate(
  world: World,
  host: HostState,
  req: IncomingMessage,
): { username: string } | undefined {
  const token = req.headers['x-auth-token'];
  if (typeof token === 'string' && token) {
    for (const s of host.sessions.values()) if (eq(s.token, token)) return { username: s.username };
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

export function createSession(host: HostState, username: string): RedfishSession {
  const s: RedfishSession = {
    id: String(++sessionCounter),
    token: randomBytes(16).toString('hex'),
    username,
    createdAt: new Date().toISOString(),
  };
  host.sessions.set(s.id, s);
  return s;
}
