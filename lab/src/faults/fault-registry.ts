import { LabHostFaults } from '../config/lab-config.schema';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { hash32, mulberry32 } from '@rackops/core/util/prng';

export type HostFaults = LabHostFaults;
export type HostFaultsPatch = Partial<HostFaults>;

const NONE: HostFaults = LabHostFaults.parse({});

/**
 * Faults per host, settable at run time (`lab.faults.set('LABA001', { rebootHangs: true })`).
 * Probabilistic faults (errorRate, dropRate) draw from a PRNG seeded by the lab seed and the
 * service tag, so a run with the same seed and the same requests fails the same way.
 */
export class FaultRegistry {
  private readonly byHost = new Map<string, HostFaults>();
  private readonly rngs = new Map<string, () => number>();
  private readonly listeners = new Set<(hostId: string, faults: HostFaults) => void>();

  constructor(readonly seed: number) {}

  get(hostId: string): HostFaults {
    return this.byHost.get(hostId) ?? NONE;
  }

  /** Merge `patch` into the host's faults (validated: a bad value throws naming the field). */
  set(hostId: string, patch: HostFaultsPatch): HostFaults {
    const next = parseOrThrow(LabHostFaults, { ...this.get(hostId), ...patch }, `faults for ${hostId}`);
    this.byHost.set(hostId, next);
    for (const l of this.listeners) l(hostId, next);
    return next;
  }

  /** Remove faults from one host, or from every host. */
  clear(hostId?: string): void {
    const ids = hostId ? [hostId] : [...this.byHost.keys()];
    for (const id of ids) {
      this.byHost.delete(id);
      for (const l of this.listeners) l(id, NONE);
    }
  }

  /** Hosts with any fault set. */
  list(): Array<{ hostId: string; faults: HostFaults }> {
    return [...this.byHost].map(([hostId, faults]) => ({ hostId, faults }));
  }

  /** Called whenever a host's faults change (the world uses it to fill stale jobs). */
  onChange(listener: (hostId: string, faults: HostFaults) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Deterministic draw in [0, 1) for `hostId`. */
  random(hostId: string): number {
    let rng = this.rngs.get(hostId);
    if (!rng) {
      rng = mulberry32(this.seed ^ hash32(hostId));
      this.rngs.set(hostId, rng);
    }
    return rng();
  }

  /** Should this request be answered 503? */
  shouldFail(hostId: string): boolean {
    const rate = this.get(hostId).errorRate;
    return rate > 0 && this.random(hostId) < rate;
  }

  /** Should this request's connection be dropped? */
  shouldDrop(hostId: string): boolean {
    const rate = this.get(hostId).dropRate;
    return rate > 0 && this.random(hostId) < rate;
  }
}
