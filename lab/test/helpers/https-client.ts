import { Agent, request } from 'node:https';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export interface ClientOptions {
  /** The lab certificate: trusted as the only CA, so verification is real. */
  ca: string;
  auth?: { username: string; password: string } | { token: string };
}

/** A plain HTTPS client (node:https) for driving the lab the way any Redfish client would. */
export function createClient(baseUrl: string, opts: ClientOptions) {
  const agent = new Agent({ keepAlive: true, ca: opts.ca, maxSockets: 4 });
  const call = (
    method: string,
    path: string,
    body?: unknown,
    extra: { headers?: Record<string, string>; raw?: Buffer; auth?: ClientOptions['auth'] | null } = {},
  ): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, baseUrl);
      const auth = extra.auth === null ? undefined : (extra.auth ?? opts.auth);
      const headers: Record<string, string> = { Accept: 'application/json', ...extra.headers };
      if (auth && 'token' in auth) headers['X-Auth-Token'] = auth.token;
      else if (auth)
        headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      let payload: Buffer | undefined = extra.raw;
      if (body !== undefined) {
        payload = Buffer.from(JSON.stringify(body));
        headers['Content-Type'] = 'application/json';
      }
      if (payload) headers['Content-Length'] = String(payload.length);
      const req = request(url, { method, headers, ca: opts.ca, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    get: (path: string, extra?: Parameters<typeof call>[3]) => call('GET', path, undefined, extra),
    post: (path: string, body?: unknown, extra?: Parameters<typeof call>[3]) =>
      call('POST', path, body ?? {}, extra),
    delete: (path: string, extra?: Parameters<typeof call>[3]) => call('DELETE', path, undefined, extra),
    call,
    /** Close kept-alive connections (tests call it in afterAll). */
    close: () => agent.destroy(),
  };
}

export type Client = ReturnType<typeof createClient>;

/** Poll until `fn` returns a truthy value (or throw after `timeoutMs`). */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A multipart/form-data body as Redfish MultipartUpload expects it. */
export function multipartBody(
  params: unknown,
  fileName: string,
  file: Buffer,
): { body: Buffer; contentType: string } {
  const boundary = `----rackopslab${Date.now().toString(16)}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="UpdateParameters"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(params)}\r\n`,
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="UpdateFile"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
