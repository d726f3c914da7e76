import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import { SignatureV4 } from '@smithy/signature-v4';
import { type Hash, type Hmac, createHash, createHmac } from 'node:crypto';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../src/adapters/dynamo-store';
import { leanDocumentClient, observeDynamoCalls } from '../src/adapters/dynamo/lean-client';

/**
 * The Store's own DynamoDB JSON client, against dynalite: every operation it takes over answers exactly as the
 * SDK's document client answers the same call on the same table; and against a scripted endpoint, what dynalite
 * cannot do (throttle, corrupt a body, check a signature).
 */
const TABLE = 'lean-client';
let dynalite: RunningDynalite;
let client: DynamoDBClient;
beforeAll(async () => {
  dynalite = await startDynalite();
  client = dynalite.client();
  await createDynamoStore({ client, tableName: TABLE }).migrate();
});
afterAll(async () => {
  await dynalite.close();
});

const opts = { removeUndefinedValues: true, convertClassInstanceToMap: false };

describe('lean document client on dynalite', () => {
  it('answers every operation it takes over as the SDK document client does', async () => {
    const lean = leanDocumentClient(client, opts);
    const sdk = DynamoDBDocumentClient.from(client, { marshallOptions: opts });
    const item = {
      pk: 'LEAN#1',
      sk: 'A',
      n: 42,
      f: 1.5,
      s: 'text',
      bool: false,
      nil: null,
      list: [1, 'two', { three: 3 }],
      map: { nested: { deep: ['x'] }, B: 'a map key named B' },
      bin: Buffer.from([0, 1, 2, 250]),
      set: new Set(['a', 'b']),
      gone: undefined,
    };
    const strip = <T extends { $metadata?: unknown }>(o: T) => {
      const { $metadata: _m, ...rest } = o;
      return rest;
    };
    await lean.send(new PutCommand({ TableName: TABLE, Item: item }));
    await lean.send(new PutCommand({ TableName: TABLE, Item: { ...item, sk: 'B', n: 7 } }));
    const get = { TableName: TABLE, Key: { pk: 'LEAN#1', sk: 'A' }, ConsistentRead: true };
    const viaLean = strip(await lean.send(new GetCommand(get)));
    expect(viaLean).toEqual(strip(await sdk.send(new GetCommand(get))));
    expect(viaLean.Item?.bin).toEqual(new Uint8Array([0, 1, 2, 250]));
    expect(viaLean.Item).not.toHaveProperty('gone');

    const update = {
      TableName: TABLE,
      Key: { pk: 'LEAN#1', sk: 'A' },
      UpdateExpression: 'SET n = n + :one',
      ConditionExpression: 'n = :n',
      ExpressionAttributeValues: { ':one': 1, ':n': 42 },
      ReturnValues: 'ALL_NEW' as const,
    };
    expect(strip(await lean.send(new UpdateCommand(update))).Attributes?.n).toBe(43);
    // A condition that no longer holds: refused, under the SDK's name (the Store's conflict checks read it).
    const refused = await lean.send(new UpdateCommand(update)).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).name).toBe('ConditionalCheckFailedException');

    const query = {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'LEAN#1' },
      Limit: 1,
      ConsistentRead: true,
    };
    const page1 = strip(await lean.send(new QueryCommand(query)));
    expect(page1).toEqual(strip(await sdk.send(new QueryCommand(query))));
    expect(page1.LastEvaluatedKey).toEqual({ pk: 'LEAN#1', sk: 'A' });
    const page2 = await lean.send(new QueryCommand({ ...query, ExclusiveStartKey: page1.LastEvaluatedKey }));
    expect(page2.Items?.map((i) => i.sk)).toEqual(['B']);

    const writes = {
      RequestItems: {
        [TABLE]: [
          { PutRequest: { Item: { pk: 'LEAN#2', sk: 'A', v: 1 } } },
          { DeleteRequest: { Key: { pk: 'LEAN#1', sk: 'B' } } },
        ],
      },
    };
    expect(strip(await lean.send(new BatchWriteCommand(writes))).UnprocessedItems).toEqual({});
    const gets = {
      RequestItems: {
        [TABLE]: {
          Keys: [
            { pk: 'LEAN#2', sk: 'A' },
            { pk: 'LEAN#1', sk: 'B' },
          ],
        },
      },
    };
    const batch = strip(await lean.send(new BatchGetCommand(gets)));
    expect(batch).toEqual(strip(await sdk.send(new BatchGetCommand(gets))));
    expect(batch.Responses?.[TABLE]).toEqual([{ pk: 'LEAN#2', sk: 'A', v: 1 }]);

    const del = await lean.send(
      new DeleteCommand({ TableName: TABLE, Key: { pk: 'LEAN#2', sk: 'A' }, ReturnValues: 'ALL_OLD' }),
    );
    expect(del.Attributes).toEqual({ pk: 'LEAN#2', sk: 'A', v: 1 });
  });

  it('lets an observer see and answer each call on the wire (the cost meter, test faults)', async () => {
    const own = dynalite.client();
    const seen: string[] = [];
    observeDynamoCalls(own, 'testAnswers', async (op, input, call) => {
      seen.push(`${op}:${JSON.stringify(input.Key ?? input.Item)}`);
      return op === 'GetItem' ? { Item: { pk: { S: 'from' }, sk: { S: 'observer' } } } : call(input);
    });
    const lean = leanDocumentClient(own, opts);
    await lean.send(new PutCommand({ TableName: TABLE, Item: { pk: 'OBS', sk: 'A' } }));
    const got = await lean.send(new GetCommand({ TableName: TABLE, Key: { pk: 'OBS', sk: 'A' } }));
    expect(got.Item).toEqual({ pk: 'from', sk: 'observer' });
    expect(seen).toEqual([
      'PutItem:{"pk":{"S":"OBS"},"sk":{"S":"A"}}',
      'GetItem:{"pk":{"S":"OBS"},"sk":{"S":"A"}}',
    ]);
  });
});

/** A scripted DynamoDB endpoint: each request is recorded and answered by the next script entry. */
async function scripted(
  answers: ((req: IncomingMessage, body: string) => { status: number; body: string; crc?: string })[],
) {
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ headers: req.headers, body });
      const answer = (answers[seen.length - 1] ?? answers.at(-1)!)(req, body);
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-crc32': answer.crc ?? String(crc32(Buffer.from(answer.body))),
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sdk = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
    maxAttempts: 3,
  });
  return {
    seen,
    endpoint,
    lean: leanDocumentClient(sdk, opts),
    async close() {
      sdk.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** node:crypto behind the signer's hash interface (an HMAC when given a secret). */
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
  }
  update(data: unknown) {
    this.h.update(toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}
const toBytes = (d: unknown): Buffer =>
  typeof d === 'string' ? Buffer.from(d) : Buffer.from(d as Uint8Array);

const ok = () => ({ status: 200, body: JSON.stringify({ Item: { pk: { S: 'x' }, sk: { S: 'y' } } }) });
const error =
  (type: string, status = 400) =>
  () => ({
    status,
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `${type} here` }),
  });
const get = new GetCommand({ TableName: TABLE, Key: { pk: 'x', sk: 'y' } });

describe('lean document client against a scripted endpoint', () => {
  it('retries throttling and server errors, then answers', async () => {
    const s = await scripted([
      error('ProvisionedThroughputExceededException'),
      error('InternalServerError', 500),
      ok,
    ]);
    try {
      expect((await s.lean.send(get)).Item).toEqual({ pk: 'x', sk: 'y' });
      expect(s.seen).toHaveLength(3);
    } finally {
      await s.close();
    }
  });

  it('tries again after an answer that is not JSON (a proxy’s 503 page)', async () => {
    const s = await scripted([() => ({ status: 503, body: '<html>Service Unavailable</html>' }), ok]);
    try {
      expect((await s.lean.send(get)).Item).toEqual({ pk: 'x', sk: 'y' });
      expect(s.seen).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it('gives up after the client’s maxAttempts, with the last error', async () => {
    const s = await scripted([error('ThrottlingException')]);
    try {
      const err = (await s.lean.send(get).catch((e: unknown) => e)) as Error & {
        $metadata: { attempts: number };
      };
      expect(err.name).toBe('ThrottlingException');
      expect(err.message).toBe('ThrottlingException here');
      expect(err.$metadata.attempts).toBe(3);
      expect(s.seen).toHaveLength(3);
    } finally {
      await s.close();
    }
  });

  it('never retries what a retry cannot fix', async () => {
    const s = await scripted([error('ValidationException'), ok]);
    try {
      await expect(s.lean.send(get)).rejects.toMatchObject({ name: 'ValidationException' });
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('treats a body that does not match its checksum as a failed transfer', async () => {
    const s = await scripted([() => ({ ...ok(), crc: '12345' }), ok]);
    try {
      expect((await s.lean.send(get)).Item).toEqual({ pk: 'x', sk: 'y' });
      expect(s.seen).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it('tries the endpoint and region again after they could not be resolved', async () => {
    const s = await scripted([ok]);
    let asked = 0;
    const sdk = new DynamoDBClient({
      endpoint: s.endpoint,
      region: async () => {
        if (asked++ === 0) throw new Error('no region yet');
        return 'eu-west-1';
      },
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    try {
      const lean = leanDocumentClient(sdk, opts);
      await expect(lean.send(get)).rejects.toThrow('no region yet');
      expect((await lean.send(get)).Item).toEqual({ pk: 'x', sk: 'y' });
    } finally {
      sdk.destroy();
      await s.close();
    }
  });

  it('signs each request as the SDK’s SigV4 signer would, session token included', async () => {
    const s = await scripted([ok]);
    try {
      await s.lean.send(get);
      const { headers, body } = s.seen[0]!;
      expect(headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
      expect(headers['x-amz-security-token']).toBe('session');
      expect(JSON.parse(body)).toEqual({ TableName: TABLE, Key: { pk: { S: 'x' }, sk: { S: 'y' } } });
      const amzDate = String(headers['x-amz-date']);
      const signer = new SignatureV4({
        service: 'dynamodb',
        region: 'eu-west-1',
        // DynamoDB does not ask for the payload hash header (the SDK's DynamoDB client does not send it).
        applyChecksum: false,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
        sha256: Sha256,
      });
      const expected = await signer.sign(
        {
          method: 'POST',
          protocol: 'http:',
          hostname: '127.0.0.1',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            host: String(headers.host),
            'x-amz-target': 'DynamoDB_20120810.GetItem',
          },
          body,
        },
        {
          signingDate: new Date(
            `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
          ),
        },
      );
      const signature = (h: string) => /Signature=([0-9a-f]+)/.exec(h)?.[1];
      expect(signature(String(headers.authorization))).toBe(
        signature(String(expected.headers.authorization)),
      );
      expect(signature(String(headers.authorization))).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await s.close();
    }
  });
});
