import type { Store } from '@rackops/core/ports/store.port';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { type RunningDynalite, startDynalite } from '../../src/dynalite';

export interface TestStore {
  store: Store;
  dynalite: RunningDynalite;
  /** Another Store over the same table (what a restarted process would open). */
  reopen(): Store;
  close(): Promise<void>;
}

let seq = 0;

/** A real Store (DynamoDB adapter) on an in-memory dynalite on loopback; each call gets its own table. */
export async function startTestStore(): Promise<TestStore> {
  const dynalite = await startDynalite();
  const tableName = `rackops-local-test-${process.pid}-${++seq}`;
  const open = () => createDynamoStore({ client: dynalite.client(), tableName });
  const store = open();
  await store.migrate();
  return { store, dynalite, reopen: open, close: () => dynalite.close() };
}
