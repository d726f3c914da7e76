import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { crc32 } from 'node:zlib';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type NativeAttributeValue, marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/** What the Store sends its table calls through: the document client's `send`, nothing else. */
export interface DocClient {
  send: DynamoDBDocumentClient['send'];
}

/**
 * Wraps one call (the operation, its wire input) as an SDK middleware would: the cost meter counts calls and asks
 * for consumed capacity through it.
 */
export type DynamoCallObserver = (
  operation: string,
  input: Record<string, unknown>,
  call: (input: Record<string, unknown>) => Promise<Record<string, unknown>>,
) => Promise<Record<string, unknown>>;

const observers = new WeakMap<object, Map<string, DynamoCallObserver>>();

/**
 * Every call a lean client built on `client` makes passes through `observer` from now on. Named as SDK middleware
 * is: observing again under the same name replaces the observer, it does not add a second one.
 */
export function observeDynamoCalls(client: DynamoDBClient, name: string, observer: DynamoCallObserver): void {
  const mine = observers.get(client) ?? new Map<string, DynamoCallObserver>();
  mine.set(name, observer);
  observers.set(client, mine);
}

type AnyInput = Record<string, unknown>;
type Marshal = (v: Record<string, NativeAttributeValue>) => unknown;
type Unmarshal = (v: unknown) => Record<string, unknown>;

/**
 * The seven table operations the Store makes, with what the document client marshals in and out of each (the
 * lib-dynamodb commands' own lists). Anything else goes through the SDK document client.
 */
const OPS: {
  is: (cmd: unknown) => boolean;
  op: string;
  in: (input: AnyInput, m: Marshal) => AnyInput;
  out: (output: AnyInput, u: Unmarshal) => AnyInput;
}[] = [
  {
    is: (c) => c instanceof GetCommand,
    op: 'GetItem',
    in: (i, m) => ({ ...i, Key: m(i.Key as AnyInput) }),
    out: (o, u) => (o.Item ? { ...o, Item: u(o.Item) } : o),
  },
  {
    is: (c) => c instanceof PutCommand,
    op: 'PutItem',
    in: (i, m) => values({ ...i, Item: m(i.Item as AnyInput) }, m),
    out: attributes,
  },
  { is: (c) => c instanceof UpdateCommand, op: 'UpdateItem', in: keyedWrite, out: attributes },
  { is: (c) => c instanceof DeleteCommand, op: 'DeleteItem', in: keyedWrite, out: attributes },
  {
    is: (c) => c instanceof QueryCommand,
    op: 'Query',
    in: (i, m) =>
      values(i.ExclusiveStartKey ? { ...i, ExclusiveStartKey: m(i.ExclusiveStartKey as AnyInput) } : i, m),
    out: (o, u) => ({
      ...o,
      ...(o.Items ? { Items: (o.Items as unknown[]).map(u) } : {}),
      ...(o.LastEvaluatedKey ? { LastEvaluatedKey: u(o.LastEvaluatedKey) } : {}),
    }),
  },
  {
    is: (c) => c instanceof BatchGetCommand,
    op: 'BatchGetItem',
    in: (i, m) => ({ ...i, RequestItems: mapTables(i.RequestItems, (t) => keysOf(t, m)) }),
    out: (o, u) => ({
      ...o,
      ...(o.Responses ? { Responses: mapTables(o.Responses, (items) => (items as unknown[]).map(u)) } : {}),
      ...(o.UnprocessedKeys ? { UnprocessedKeys: mapTables(o.UnprocessedKeys, (t) => keysOf(t, u)) } : {}),
    }),
  },
  {
    is: (c) => c instanceof BatchWriteCommand,
    op: 'BatchWriteItem',
    in: (i, m) => ({ ...i, RequestItems: mapTables(i.RequestItems, (w) => writesOf(w, m)) }),
    out: (o, u) =>
      o.UnprocessedItems
        ? { ...o, UnprocessedItems: mapTables(o.UnprocessedItems, (w) => writesOf(w, u)) }
        : o,
  },
];

function keyedWrite(i: AnyInput, m: Marshal): AnyInput {
  return values({ ...i, Key: m(i.Key as AnyInput) }, m);
}
function values(i: AnyInput, m: Marshal): AnyInput {
  return i.ExpressionAttributeValues
    ? { ...i, ExpressionAttributeValues: m(i.ExpressionAttributeValues as AnyInput) }
    : i;
}
function attributes(o: AnyInput, u: Unmarshal): AnyInput {
  return o.Attributes ? { ...o, Attributes: u(o.Attributes) } : o;
}
function mapTables(tables: unknown, f: (v: unknown) => unknown): AnyInput {
  return Object.fromEntries(Object.entries(tables as AnyInput).map(([t, v]) => [t, f(v)]));
}
function keysOf(t: unknown, f: (v: AnyInput) => unknown): AnyInput {
  const table = t as { Keys?: AnyInput[] };
  return { ...table, ...(table.Keys ? { Keys: table.Keys.map(f) } : {}) };
}
function writesOf(w: unknown, f: (v: AnyInput) => unknown): unknown[] {
  return (w as { PutRequest?: { Item: AnyInput }; DeleteRequest?: { Key: AnyInput } }[]).map((r) =>
    r.PutRequest
      ? { PutRequest: { ...r.PutRequest, Item: f(r.PutRequest.Item) } }
      : r.DeleteRequest
        ? { DeleteRequest: { ...r.DeleteRequest, Key: f(r.DeleteRequest.Key) } }
        : r,
  );
}

/** An error DynamoDB answered (or the connection failed with), named as the SDK names it. */
export class DynamoCallError extends Error {
  constructor(
    name: string,
    message: string,
    readonly $metadata: { httpStatusCode?: number; attempts: number },
    readonly $retryable: boolean,
  ) {
    super(message);
    this.name = name;
  }
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'LimitExceededException',
  'TimeoutError',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN']);
const REQUEST_TIMEOUT_MS = 20_000;

interface Target {
  url: URL;
  region: string;
  agent: http.Agent;
  request: typeof http.request;
  /** SigV4 signing key of the current day (and secret): four HMACs once a day instead of per call. */
  signingKey(secret: string, day: string): Buffer;
}

/**
 * Endpoint, region and connections per SDK client, shared by every lean client built on it (each Store on one
 * client). A failed resolution (no region yet, a credentials error) is not kept: the next call tries again.
 */
const targets = new WeakMap<DynamoDBClient, Promise<Target>>();
function targetOf(client: DynamoDBClient): Promise<Target> {
  let target = targets.get(client);
  if (!target) {
    target = resolveTarget(client).catch((err: unknown) => {
      targets.delete(client);
      throw err;
    });
    targets.set(client, target);
  }
  return target;
}

async function resolveTarget(client: DynamoDBClient): Promise<Target> {
  const region = await client.config.region();
  // The SDK's own endpoint rules (a configured endpoint, AWS_ENDPOINT_URL_DYNAMODB, FIPS, the partition), once.
  const ep = await getEndpointFromInstructions({ TableName: 'rackops' }, GetItemCommand, client.config);
  const url = new URL(String(ep.url));
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 50 })
    : new http.Agent({ keepAlive: true, maxSockets: 50 });
  // The agent's sockets close with the client they were built from.
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    agent.destroy();
    destroy();
  };
  let cached: { id: string; key: Buffer } | undefined;
  const signingKey = (secret: string, day: string) => {
    const id = `${day}/${secret}`;
    if (cached?.id !== id) {
      const h = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest();
      cached = { id, key: h(h(h(h(`AWS4${secret}`, day), region), 'dynamodb'), 'aws4_request') };
    }
    return cached.key;
  };
  return { url, region, agent, request: secure ? https.request : http.request, signingKey };
}

/**
 * A document client for the Store's seven table operations that speaks DynamoDB's JSON protocol itself: SigV4,
 * keep-alive HTTP, the document client's marshalling and the SDK's retry rules (throttling, 5xx and dropped
 * connections retried with full-jitter backoff, up to the client's maxAttempts). Region, endpoint, credentials
 * (their provider, so refreshed credentials are used) and maxAttempts come from the SDK client it is built on.
 *
 * Why not the SDK's pipeline: measured against dynalite, a GetItem through DynamoDBDocumentClient costs 0.8–1.5 ms
 * of CPU in the caller, this 0.1–0.2 ms (`npm run bench -- store`). The Store makes most of a rollout's calls, each
 * JobOps, dispatch and result runs several, and the hosts of a wave make them at the same moment: that CPU was
 * most of a host's orchestration overhead, and most of a chat turn's. Other operations (CreateTable, …) and
 * other services stay on the SDK.
 */
export function leanDocumentClient(
  client: DynamoDBClient,
  opts: { removeUndefinedValues?: boolean; convertClassInstanceToMap?: boolean } = {},
): DocClient {
  // Copies, each its own: lib-dynamodb writes into the marshall options it is given (convertTopLevelContainer),
  // which, shared, made this client's top-level keys and values maps.
  const fallback = DynamoDBDocumentClient.from(client, { marshallOptions: { ...opts } });
  const own = Object.freeze({ ...opts, convertTopLevelContainer: false });
  const m: Marshal = (v) => marshall(v, own);
  const u: Unmarshal = (v) => unmarshall(v as Parameters<typeof unmarshall>[0]);
  const post = async (t: Target, op: string, body: string): Promise<AnyInput> => {
    const creds = await client.config.credentials();
    const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const host = t.url.host;
    const amzTarget = `DynamoDB_20120810.${op}`;
    const token = creds.sessionToken;
    const signed = token
      ? 'content-type;host;x-amz-date;x-amz-security-token;x-amz-target'
      : 'content-type;host;x-amz-date;x-amz-target';
    const canonical = [
      'POST',
      t.url.pathname,
      '',
      'content-type:application/x-amz-json-1.0',
      `host:${host}`,
      `x-amz-date:${amzDate}`,
      ...(token ? [`x-amz-security-token:${token}`] : []),
      `x-amz-target:${amzTarget}`,
      '',
      signed,
      createHash('sha256').update(body).digest('hex'),
    ].join('\n');
    const scope = `${day}/${t.region}/dynamodb/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', t.signingKey(creds.secretAccessKey, day))
      .update(toSign)
      .digest('hex');
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(body)),
      host,
      'x-amz-date': amzDate,
      'x-amz-target': amzTarget,
      ...(token ? { 'x-amz-security-token': token } : {}),
      authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
    };
    const { status, text, crc } = await new Promise<{ status: number; text: Buffer; crc?: string }>(
      (resolve, reject) => {
        const req = t.request(
          t.url,
          { method: 'POST', headers, agent: t.agent, timeout: REQUEST_TIMEOUT_MS },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const h = res.headers['x-amz-crc32'];
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks),
                ...(typeof h === 'string' ? { crc: h } : {}),
              });
            });
          },
        );
        req.on('timeout', () =>
          req.destroy(Object.assign(new Error('DynamoDB request timed out'), { code: 'ETIMEDOUT' })),
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    // DynamoDB checksums every response body: a truncated or altered one is a transport failure, retried.
    if (crc !== undefined && String(crc32(text)) !== crc)
      throw new DynamoCallError(
        'CRC32ChecksumMismatch',
        `${op}: the response body does not match its checksum`,
        { httpStatusCode: status, attempts: 0 },
        true,
      );
    const raw = text.toString('utf8');
    let parsed: AnyInput;
    try {
      // Binary attributes travel as base64: only a body that has any pays for the reviver.
      parsed = (
        raw.length === 0 ? {} : raw.includes('"B') ? JSON.parse(raw, binaryReviver) : JSON.parse(raw)
      ) as AnyInput;
    } catch {
      // Not DynamoDB's JSON (a proxy's error page, a cut body): a 4xx is final, anything else is tried again.
      throw new DynamoCallError(
        status >= 500 ? 'ServiceUnavailable' : status >= 400 ? 'UnknownError' : 'InvalidResponse',
        `${op}: HTTP ${status} with a body that is not JSON`,
        { httpStatusCode: status, attempts: 0 },
        status < 400 || status >= 500,
      );
    }
    if (status >= 200 && status < 300) return parsed;
    const type = String(parsed.__type ?? 'UnknownError');
    const name = type.slice(type.lastIndexOf('#') + 1);
    const message = String(parsed.message ?? parsed.Message ?? `${op} failed with HTTP ${status}`);
    const err = new DynamoCallError(
      name,
      message,
      { httpStatusCode: status, attempts: 0 },
      status >= 500 || RETRYABLE_NAMES.has(name),
    );
    if (parsed.CancellationReasons) Object.assign(err, { CancellationReasons: parsed.CancellationReasons });
    throw err;
  };

  const withRetries = async (op: string, input: AnyInput): Promise<AnyInput> => {
    const t = await targetOf(client);
    const maxAttempts = Math.max(1, await client.config.maxAttempts());
    const body = JSON.stringify(input, binaryReplacer);
    for (let attempt = 1; ; attempt++) {
      try {
        return await post(t, op, body);
      } catch (err) {
        const answered = err instanceof DynamoCallError ? err : undefined;
        const retryable = answered
          ? answered.$retryable
          : RETRYABLE_CODES.has(String((err as { code?: unknown }).code ?? ''));
        if (answered) answered.$metadata.attempts = attempt;
        if (!retryable || attempt >= maxAttempts) throw err;
        const throttled = answered !== undefined && /Throttl|Throughput|RequestLimit/.test(answered.name);
        const base = throttled ? 500 : 25;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(20_000, base * 2 ** (attempt - 1))));
      }
    }
  };

  const send = async (command: { input: unknown }): Promise<unknown> => {
    const spec = OPS.find((s) => s.is(command));
    if (!spec) return (fallback.send as (c: unknown) => Promise<unknown>)(command);
    const wire = spec.in(command.input as AnyInput, m);
    const chain = [...(observers.get(client)?.values() ?? [])].reduceRight<
      (i: AnyInput) => Promise<AnyInput>
    >(
      (next, observe) => (i) => observe(spec.op, i, next),
      (i) => withRetries(spec.op, i),
    );
    const out = await chain(wire);
    return { ...spec.out(out, u), $metadata: {} };
  };
  return { send: send as DocClient['send'] };
}

/** The holder's own value: a Buffer has already become `{type, data}` (its toJSON) when `value` arrives. */
function binaryReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const own = this[key];
  return own instanceof Uint8Array ? Buffer.from(own).toString('base64') : value;
}
function binaryReviver(key: string, value: unknown): unknown {
  if (key === 'B' && typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  if (key === 'BS' && Array.isArray(value))
    return value.map((v) => new Uint8Array(Buffer.from(String(v), 'base64')));
  return value;
}
