import type { Store } from '@rackops/core/ports/store.port';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { createDynamoStore } from '../../src/adapters/dynamo-store';

export interface TestStore {
  store: Store;
  dynalite: RunningDynalite;
  tableName: string;
  close(): Promise<void>;
}

let tableSeq = 0;

/** A real Store on an in-memory dynalite on loopback; every call gets its own table. */
export async function startTestStore(opts: { now?: () => Date } = {}): Promise<TestStore> {
  const dynalite = await startDynalite();
  const tableName = `rackops-test-${process.pid}-${++tableSeq}`;
  const store = createDynamoStore({
    client: dynalite.client(),
    tableName,
    ...(opts.now ? { now: opts.now } : {}),
  });
  await store.migrate();
  return { store, dynalite, tableName, close: () => dynalite.close() };
}
