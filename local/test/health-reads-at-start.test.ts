import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { HARDWARE_HEALTH_TYPE } from '@rackops/core/usecases/hardware-health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack';

/**
 * `npm start`'s stack (health reads on, a sync at start): the first sync of a fresh Store stores the hosts only
 * when it ends, so the reads that start with it find none; each host's hardware is read once the sync is done.
 */
describe('hardware health read at start (npm start)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      lab: true,
      agent: true,
      timeScale: 1 / 600,
      syncInventoryAtStart: true,
      healthReads: true,
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('every lab host gets a hardware read without anyone asking', async () => {
    const hosts = (await stack.store.listRecordsByType(INVENTORY_TYPES.host, { limit: 100 })).items
      .filter((r) => !r.gone)
      .map((r) => r.id.toUpperCase());
    expect(hosts.length).toBeGreaterThan(0);
    await expect
      .poll(
        async () => {
          const reads = (await stack.store.listRecordsByType(HARDWARE_HEALTH_TYPE, { limit: 100 })).items;
          return reads.map((r) => r.id.toUpperCase()).sort();
        },
        { timeout: 90_000, interval: 250 },
      )
      .toEqual([...hosts].sort());
  }, 120_000);
});
