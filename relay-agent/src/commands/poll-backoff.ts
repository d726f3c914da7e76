/**
 * Delays for one wait loop: quick first looks, then the configured interval (interval/8, /4, /2, then the
 * interval). Most device operations RackOps waits on (a vCenter task, an SCP export, leaving maintenance mode)
 * end within seconds; polling at the full interval from the start added up to one interval to each of them.
 * A long wait costs three extra reads.
 */
export function pollBackoff(intervalMs: number): () => number {
  let n = 0;
  return () => Math.max(1, Math.round(intervalMs / 2 ** Math.max(0, 3 - n++)));
}
