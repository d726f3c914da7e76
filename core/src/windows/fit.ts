import { estimatePlanS, type HostTiming, outOfServiceS } from '../planner/makespan';

/**
 * Per-host phase times used when no earlier rollout measured any (seconds). A PowerEdge BIOS + iDRAC + NIC
 * update with one reboot: about 46 minutes out of service, 50 with the SCP backup and verification.
 * Deliberately pessimistic: a window that looks too short is better than one that ends `partial` by surprise.
 */
export const DEFAULT_HOST_TIMING: HostTiming = {
  scpS: 120,
  stageS: 600,
  evacuateS: 600,
  applyRebootS: 1800,
  reconnectS: 300,
  exitS: 60,
  verifyS: 120,
};

export interface FitInput {
  /** Hosts that need an update (from the catalog at this moment). */
  hosts: number;
  /** Most hosts out at once (the planner's k). */
  k: number;
  durationMinutes: number;
  /** Measured per-host times of earlier rollouts, when there are any. */
  timing?: HostTiming;
}

export interface FitEstimate {
  hosts: number;
  k: number;
  waves: number;
  makespanS: number;
  windowS: number;
  fits: boolean;
  /** Window length minus makespan: negative when it does not fit. */
  spareS: number;
  timingSource: 'measured' | 'default';
}

/** The planner's waves and expected makespan next to the window's length. */
export function estimateFit(input: FitInput): FitEstimate {
  const t = input.timing ?? DEFAULT_HOST_TIMING;
  const k = Math.max(1, input.k);
  const waves = Math.ceil(input.hosts / k);
  const batches = Array.from({ length: waves }, () => ['']);
  const makespanS = estimatePlanS(batches, t);
  const windowS = input.durationMinutes * 60;
  return {
    hosts: input.hosts,
    k,
    waves,
    makespanS,
    windowS,
    fits: makespanS <= windowS,
    spareS: windowS - makespanS,
    timingSource: input.timing ? 'measured' : 'default',
  };
}

/** Margin added to a host's expected out-of-service time before the window end: 10 min or 20 %, the larger. */
export const GUARD_MARGIN = { minS: 600, fraction: 0.2 } as const;

export interface GuardDecision {
  start: boolean;
  /** Seconds left in the window and seconds the host needs (expected + margin), for the job's report. */
  leftS: number;
  needS: number;
  reason: string;
}

/**
 * Window-end guard: may one more host start? Only when what is left of the window covers the host's
 * expected out-of-service time plus the margin; hosts already in flight always finish.
 */
export function mayStartHost(args: {
  now: Date;
  windowEnd: Date;
  timing?: HostTiming;
  hostS?: number;
  /** Least margin in seconds. @default GUARD_MARGIN.minS */
  marginMinS?: number;
}): GuardDecision {
  const expected = args.hostS ?? outOfServiceS(args.timing ?? DEFAULT_HOST_TIMING);
  const margin = Math.max(args.marginMinS ?? GUARD_MARGIN.minS, expected * GUARD_MARGIN.fraction);
  const needS = Math.ceil(expected + margin);
  const leftS = Math.floor((args.windowEnd.getTime() - args.now.getTime()) / 1000);
  const start = leftS >= needS;
  return {
    start,
    leftS,
    needS,
    reason: start
      ? `${leftS} s left, host needs ${needS} s`
      : `window ends in ${Math.max(0, leftS)} s; a host needs ${needS} s (expected ${Math.round(expected)} s + margin)`,
  };
}
