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

/**
 * A running endpoint: its SDK clients made on demand, all destroyed on close, then `stopServer` (the in-process
 * server's; nothing for an endpoint another process serves).
 */
function runningAt(endpoint: string, stopServer: () => Promise<void> = async () => {}): RunningDynalite {
  const clients: DynamoDBClient[] = [];
  return {
    endpoint,
    client() {
      const c = localClient(endpoint);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await stopServer();
    },
  };
}

/** A DynamoDB endpoint another process serves: its clients are ours to close, the server is not. */
export function externalDynamo(endpoint: string): RunningDynalite {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new Error(`DynamoDB endpoint ${endpoint}: a local stand-in is on loopback http`);
  return runningAt(endpoint);
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
  return runningAt(endpoint, async () => {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}
