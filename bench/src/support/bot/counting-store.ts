import type { Store } from '@rackops/core/ports/store.port';

/** Store calls by method, as the bot made them: what `store_calls_per_turn` is counted from. */
export interface StoreCallCounts {
  total: number;
  byMethod: Record<string, number>;
}

/** The same Store, counting every method call (each is one or more DynamoDB requests). */
export function countingStore(inner: Store): { store: Store; counts: StoreCallCounts } {
  const counts: StoreCallCounts = { total: 0, byMethod: {} };
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        counts.total++;
        counts.byMethod[key] = (counts.byMethod[key] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, counts };
}
