import { randomBytes, randomUUID } from 'node:crypto';

export interface VcSession {
  /** The `vmware_soap_session` cookie value (and the REST `vmware-api-session-id`). */
  readonly key: string;
  /** `UserSession.key` and the id in session-scoped morefs (`session[<uuid>]…`). */
  readonly uuid: string;
  readonly userName: string;
  readonly loginTime: Date;
  lastActiveTime: Date;
}

/**
 * vCenter sessions. SOAP clients carry the session in the `vmware_soap_session` cookie; REST clients in the
 * `vmware-api-session-id` header; vCenter shares one session store, so do we.
 */
export class SessionStore {
  private readonly sessions = new Map<string, VcSession>();

  create(userName: string, now: Date): VcSession {
    // vCenter's cookie is a quoted 40-hex token; REST ids are 32-hex. One shape for both is fine for clients.
    const key = randomBytes(20).toString('hex');
    const session: VcSession = { key, uuid: randomUUID(), userName, loginTime: now, lastActiveTime: now };
    this.sessions.set(key, session);
    return session;
  }

  get(key: string | undefined): VcSession | undefined {
    return key === undefined ? undefined : this.sessions.get(key);
  }

  /** By `UserSession.key` (what SessionIsActive names). */
  byUuid(uuid: string): VcSession | undefined {
    for (const s of this.sessions.values()) if (s.uuid === uuid) return s;
    return undefined;
  }

  delete(key: string): boolean {
    return this.sessions.delete(key);
  }

  clear(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** `vmware_soap_session="…"` from a Cookie header (the value is quoted by vCenter; clients echo it back). */
export function sessionFromCookie(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === 'vmware_soap_session') return rest.join('=').replace(/^"|"$/g, '');
  }
  return undefined;
}

export function sessionCookie(key: string): string {
  return `vmware_soap_session="${key}"; Path=/; HttpOnly; Secure;`;
}
