/// <reference path="./types/dynalite.d.ts" />
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface RunningDynalite {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** A DynamoDB client for this endpoint with dummy local credentials. */
  client(): DynamoDBClient;
  close(): Promise<void>;
}

export interface DynaliteOptions {
  /** LevelDB directory; in memory when absent. */
  readonly path?: string;
  /** @default 0 (ephemeral) */
  readonly port?: number;
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
  });
}

/** An endpoint's SDK clients, each made on demand and all destroyed together. */
function clientsOf(endpoint: string): { client(): DynamoDBClient; destroy(): void } {
  const clients: DynamoDBClient[] = [];
  return {
    client() {
      const c = localClient(endpoint);
      clients.push(c);
      return c;
    },
    destroy() {
      for (const c of clients) c.destroy();
    },
  };
}

/** A DynamoDB endpoint another process serves: its clients are ours to close, the server is not. */
export function externalDynamo(endpoint: string): RunningDynalite {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new Error(`DynamoDB endpoint ${endpoint}: a local stand-in is on loopback http`);
  const clients = clientsOf(endpoint);
  return {
    endpoint,
    client: () => clients.client(),
    async close() {
      clients.destroy();
    },
  };
}

/** dynalite (the DynamoDB API over LevelDB) on loopback, in-process. */
export async function startDynalite(opts: DynaliteOptions = {}): Promise<RunningDynalite> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.path ? { path: opts.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients = clientsOf(endpoint);
  return {
    endpoint,
    client: () => clients.client(),
    async close() {
      clients.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
