import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export interface OmeSession {
  readonly id: string;
  readonly token: string;
  readonly userName: string;
  readonly startedAt: Date;
  lastAccessedAt: Date;
}

/** OME API sessions: `POST /api/SessionService/Sessions` answers an `X-Auth-Token` header. */
export class OmeSessionStore {
  private readonly byToken = new Map<string, OmeSession>();

  create(userName: string, now: Date): OmeSession {
    const s: OmeSession = {
      id: randomUUID(),
      token: randomBytes(16).toString('hex'),
      userName,
      startedAt: now,
      lastAccessedAt: now,
    };
    this.byToken.set(s.token, s);
    return s;
  }

  byTokenValue(token: string | undefined): OmeSession | undefined {
    return token === undefined ? undefined : this.byToken.get(token);
  }

  byId(id: string): OmeSession | undefined {
    return [...this.byToken.values()].find((s) => s.id === id);
  }

  delete(s: OmeSession): void {
    this.byToken.delete(s.token);
  }
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
