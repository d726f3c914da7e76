import { request as httpsRequest, type Agent } from 'node:https';
import type { z } from 'zod';
import {
  DeviceError,
  DeviceHttpError,
  DeviceTimeoutError,
  MalformedResponseError,
  toDeviceError,
} from './errors';
import { sameOrigin } from './device-link';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
  /** Statuses returned instead of thrown (e.g. 401 so the caller can re-login). */
  readonly accept?: readonly number[];
  /** Retry transient faults. Off for non-idempotent POSTs that create things. */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

export interface HttpClientOptions {
  /** `https://host:port`, no trailing slash. */
  readonly baseUrl: string;
  /** Name used in errors and logs (never contains credentials). */
  readonly device: string;
  readonly agent: Agent;
  readonly timeoutMs: number;
  readonly retry?: RetryPolicy;
}

/** Small HTTPS client: per-device TLS agent, timeouts, typed errors, retries on transient faults. */
export class HttpClient {
  readonly device: string;
  readonly baseUrl: string;
  constructor(private readonly opts: HttpClientOptions) {
    this.device = opts.device;
    this.baseUrl = opts.baseUrl;
  }

  async request(path: string, ro: RequestOptions = {}): Promise<HttpResponse> {
    // Whatever path a caller passes (some come from the device), the request stays on this device.
    sameOrigin(this.device, this.opts.baseUrl, path);
    const policy =
      ro.retry === false
        ? { ...(this.opts.retry ?? DEFAULT_RETRY), attempts: 1 }
        : (this.opts.retry ?? DEFAULT_RETRY);
    return withRetry(policy, () => this.once(path, ro), ro.signal);
  }

  /** Request + JSON parse + zod validation. */
  async json<S extends z.ZodType>(schema: S, path: string, ro: RequestOptions = {}): Promise<z.infer<S>> {
    const res = await this.request(path, ro);
    return parseJson(this.device, `${ro.method ?? 'GET'} ${path}`, schema, res.body);
  }

  private once(path: string, ro: RequestOptions): Promise<HttpResponse> {
    const url = new URL(path, this.opts.baseUrl);
    const what = `${this.device} ${ro.method ?? 'GET'} ${url.pathname}`;
    const timeoutMs = ro.timeoutMs ?? this.opts.timeoutMs;
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = httpsRequest(url, {
        method: ro.method ?? 'GET',
        agent: this.opts.agent,
        headers: { accept: 'application/json', ...ro.headers },
        signal: ro.signal,
      });
      // One deadline for the whole exchange (connect + TLS + body), not per socket idle.
      const timer = setTimeout(() => {
        req.destroy(new DeviceTimeoutError(what, timeoutMs));
      }, timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(toDeviceError(what, err));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(toDeviceError(what, err));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if (status >= 400 && !ro.accept?.includes(status)) {
            reject(new DeviceHttpError(what, status, errorDetail(body)));
            return;
          }
          resolve({ status, headers: res.headers, body });
        });
      });
      req.end(ro.body);
    });
  }
}

/** First message of a Redfish/OME error body, trimmed, so operators see why without a dump. */
function errorDetail(body: Buffer): string {
  const text = body.toString('utf8').slice(0, 2000);
  try {
    const j = JSON.parse(text) as {
      error?: { message?: string; '@Message.ExtendedInfo'?: { Message?: string }[] };
    };
    return j.error?.['@Message.ExtendedInfo']?.[0]?.Message ?? j.error?.message ?? '';
  } catch {
    return text.replace(/\s+/g, ' ').slice(0, 200);
  }
}

export function parseJson<S extends z.ZodType>(
  device: string,
  what: string,
  schema: S,
  body: Buffer,
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new MalformedResponseError(`${device} ${what}`, 'body is not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new MalformedResponseError(`${device} ${what}`, detail);
  }
  return parsed.data;
}

export const isDeviceError = (e: unknown): e is DeviceError => e instanceof DeviceError;
