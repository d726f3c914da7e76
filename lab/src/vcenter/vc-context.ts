import type { World } from '../world/world';
import type { VcenterState } from '../world/types';

/** Per-vCenter settings the world does not hold (HA policy kinds beyond a failover level). */
export interface HaPolicyExtra {
  policy: 'failoverLevel' | 'resourcePercentage' | 'failoverHosts' | 'disabled';
  cpuFailoverPercent?: number;
  memoryFailoverPercent?: number;
}

/** Everything a vCenter simulator instance works on: the shared world and its own vCenter. */
export interface VcContext {
  readonly world: World;
  readonly vcenter: VcenterState;
  /** cluster id -> HA admission control policy details (the world keeps only the failover level). */
  readonly haPolicy: Map<string, HaPolicyExtra>;
  readonly instanceUuid: string;
}
