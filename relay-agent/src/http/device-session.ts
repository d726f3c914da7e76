import { DeviceHttpError, MalformedResponseError } from './errors';
import type { HttpClient, HttpResponse, RequestOptions } from './http-client';

export interface SessionOps {
  /** Opens a session on the device; answers what requests carry (a token, a cookie). */
  login(): Promise<string>;
  /** Gives the session back (best effort: a failure is ignored, the session times out on its own). */
  logout?(value: string): Promise<void>;
  /** Whether the device told us how to end this session; without it a logout keeps the session. */
  canLogout?(): boolean;
}

/**
 * One device client's login session (iDRAC Redfish, vCenter SOAP, OME): concurrent callers share one login,
 * a session the device forgot (a reset, an idle timeout) is replaced once, and logout gives it back. The
 * clients keep their own transport: which answer means "forgotten" and how the session rides on a request.
 */
export class DeviceSession {
  private value: string | undefined;
  private loggingIn: Promise<void> | undefined;

  constructor(private readonly ops: SessionOps) {}

  /** What requests carry now, if logged in. */
  get current(): string | undefined {
    return this.value;
  }

  /** The device set (or renewed) the session on an answer (vCenter's cookie). */
  set(value: string): void {
    this.value = value;
  }

  /** Concurrent logins (parallel handlers) share one session request. */
  login(): Promise<void> {
    this.loggingIn ??= this.ops
      .login()
      .then((value) => {
        this.value = value;
      })
      .finally(() => {
        this.loggingIn = undefined;
      });
    return this.loggingIn;
  }

  /** Logs in unless a session is held. */
  async ensure(): Promise<void> {
    if (!this.value) await this.login();
  }

  /**
   * The device no longer knows the session: log in again. With `sent` (the session the refused request
   * carried), a session another caller already replaced is not replaced again; that caller's login is awaited.
   * Answers whether this call logged in.
   */
  async renew(opts: { sent?: string | undefined } = {}): Promise<boolean> {
    if ('sent' in opts && this.value !== opts.sent) {
      await this.loggingIn;
      return false;
    }
    this.value = undefined;
    await this.login();
    return true;
  }

  /** Best effort: devices have small session limits, so give sessions back. */
  async logout(): Promise<void> {
    const value = this.value;
    if (!value || !this.ops.logout || this.ops.canLogout?.() === false) return;
    try {
      await this.ops.logout(value);
    } catch {
      // the session expires on its own
    }
    this.value = undefined;
  }
}

/** What the device clients share: the link to one device and the login session on it. */
export abstract class SessionClient {
  protected abstract readonly session: DeviceSession;

  constructor(protected readonly http: HttpClient) {}

  get device(): string {
    return this.http.device;
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Concurrent logins (parallel handlers) share one session request. */
  login(): Promise<void> {
    return this.session.login();
  }

  /** Best effort: devices have small session limits, so give sessions back. */
  logout(): Promise<void> {
    return this.session.logout();
  }
}

/**
 * A request carrying the session as `X-Auth-Token` (iDRAC Redfish, OME): a 401 means the device forgot the
 * session, so it is renewed once (`onRenew` first) and the request sent once more; a second 401 is real.
 */
export async function requestWithToken(
  session: DeviceSession,
  http: HttpClient,
  path: string,
  ro: RequestOptions,
  onRenew?: () => void,
): Promise<HttpResponse> {
  await session.ensure();
  const send = () =>
    http.request(path, {
      ...ro,
      accept: [401, ...(ro.accept ?? [])],
      headers: { ...ro.headers, 'x-auth-token': session.current ?? '' },
    });
  let res = await send();
  if (res.status === 401) {
    onRenew?.();
    await session.renew();
    res = await send();
    if (res.status === 401)
      throw new DeviceHttpError(`${http.device} ${path}`, 401, 'session rejected after re-login');
  }
  return res;
}

/** Logs in by POSTing `credentials` as JSON to `path`; the session is the answer's `X-Auth-Token` header. */
export async function loginForToken(
  http: HttpClient,
  path: string,
  credentials: Record<string, string>,
): Promise<{ token: string; res: HttpResponse }> {
  const res = await http.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const token = res.headers['x-auth-token'];
  if (typeof token !== 'string' || token.length === 0)
    throw new MalformedResponseError(`${http.device} login`, 'no X-Auth-Token header');
  return { token, res };
}
