import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, pino } from 'pino';
import type { LocalEngine } from '../local-engine';
import { SfnApiError, errorBody, toApiError } from './sfn-api-errors';
import { createSfnOperations } from './sfn-operations';

export interface SfnApiOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** Largest request body read, in bytes: a 256 KiB document JSON-escaped in a request, with room. @default 2 MiB */
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface RunningSfnApi {
  /** `http://127.0.0.1:<port>`: the `endpoint` to give an SFNClient. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * The Step Functions API subset the project uses (StartExecution, DescribeExecution, StopExecution,
 * SendTaskSuccess/Failure/Heartbeat, ListExecutions) in front of the local engine, over the AWS JSON 1.0
 * protocol exactly as `@aws-sdk/client-sfn` speaks it: `POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`,
 * a JSON body, errors as HTTP 400 with `{"__type":"…#<Code>","message":…}`.
 *
 * SigV4 `Authorization` headers are accepted WITHOUT verification: the server listens on 127.0.0.1 only, so
 * only this machine can reach it, and the local stack has no IAM to check a signature against anyway.
 */
export async function startSfnApi(engine: LocalEngine, opts: SfnApiOptions = {}): Promise<RunningSfnApi> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const maxBody = opts.maxBodyBytes ?? 2 * 1024 * 1024;
  const operations = createSfnOperations(engine);

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      log.error({ err }, 'sfn api: request failed');
      if (!res.headersSent) reply(res, toApiError(err));
    });
  });

  let port = 0;
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Loopback is not enough against a web page whose name was rebound to 127.0.0.1 (DNS rebinding): its
    // requests carry its own host name. Clients that dialled this server name it by loopback address.
    if (!isLoopbackHost(req.headers.host, port)) {
      req.resume();
      return reply(
        res,
        new SfnApiError('AccessDeniedException', 'this API answers loopback clients only', 403),
      );
    }
    if (req.method !== 'POST' || req.url !== '/') {
      req.resume();
      return reply(res, new SfnApiError('UnknownOperationException', 'only POST / is served', 404));
    }
    const target = req.headers['x-amz-target'];
    const op =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : '';
    const operation = Object.hasOwn(operations, op) ? operations[op] : undefined;
    if (!operation) {
      req.resume();
      return reply(res, new SfnApiError('UnknownOperationException', `unknown operation ${String(target)}`));
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== JSON_CONTENT_TYPE) {
      req.resume();
      return reply(
        res,
        new SfnApiError('SerializationException', `Content-Type must be ${JSON_CONTENT_TYPE}`),
      );
    }
    const raw = await readBody(req, maxBody);
    if (raw === undefined) {
      res.setHeader('connection', 'close');
      return reply(res, new SfnApiError('ValidationException', `request body over ${maxBody} bytes`, 413));
    }
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : (JSON.parse(raw) as unknown);
    } catch {
      return reply(res, new SfnApiError('SerializationException', 'the request body is not JSON'));
    }
    try {
      const out = await operation(body);
      reply(res, out);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.status >= 500) log.error({ err, op }, 'sfn api: operation failed');
      reply(res, apiErr);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  log.info({ port }, 'sfn api listening');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep connections alive; close them so the port and the event loop are freed now.
        server.closeAllConnections();
      }),
  };
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

/** The body as text, or undefined once it grows past `max` bytes (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) tooBig = true;
    if (!tooBig) chunks.push(buf);
  }
  return tooBig ? undefined : Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, out: Record<string, unknown> | SfnApiError): void {
  const isError = out instanceof SfnApiError;
  const text = JSON.stringify(isError ? errorBody(out) : out);
  res.writeHead(isError ? out.status : 200, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(isError ? { 'x-amzn-errortype': out.code } : {}),
  });
  res.end(text);
}
