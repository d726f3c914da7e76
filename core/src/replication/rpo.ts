/** `green` within RPO, `amber` past three quarters of it, `red` past it; `never` before the first replica. */
export type RpoLight = 'green' | 'amber' | 'red' | 'never' | 'paused';

export interface RpoStatus {
  light: RpoLight;
  breached: boolean;
  /** Seconds since the newest replica's snapshot was taken (the data loss a failover now would mean). */
  ageSeconds?: number;
  rpoSeconds: number;
}

/**
 * Replica age against the RPO. Age counts from when the replicated snapshot was taken, not from when its
 * transfer ended: that is the data a failover would lose. A paused group is shown as paused, and a group
 * that never replicated breaches its RPO once it is older than one RPO.
 */
export function rpoStatus(input: {
  rpoMinutes: number;
  now: Date;
  createdAt: string;
  lastSnapshotAt?: string;
  paused?: boolean;
}): RpoStatus {
  const rpoSeconds = input.rpoMinutes * 60;
  const since = (iso: string) => Math.max(0, Math.floor((input.now.getTime() - Date.parse(iso)) / 1000));
  if (!input.lastSnapshotAt) {
    const breached = !input.paused && since(input.createdAt) > rpoSeconds;
    return { light: input.paused ? 'paused' : breached ? 'red' : 'never', breached, rpoSeconds };
  }
  const ageSeconds = since(input.lastSnapshotAt);
  const breached = !input.paused && ageSeconds > rpoSeconds;
  const light: RpoLight = input.paused
    ? 'paused'
    : breached
      ? 'red'
      : ageSeconds > rpoSeconds * 0.75
        ? 'amber'
        : 'green';
  return { light, breached, ageSeconds, rpoSeconds };
}

/** How often a group's sync runs: twice per RPO, so one failed or slow run still leaves a replica inside it. */
export function syncEveryMinutes(rpoMinutes: number): number {
  return Math.max(1, Math.floor(rpoMinutes / 2));
}

/** The same interval as an EventBridge Scheduler expression (the local scheduler reads the same). */
export function syncScheduleExpression(rpoMinutes: number): string {
  const every = syncEveryMinutes(rpoMinutes);
  return `rate(${every} ${every === 1 ? 'minute' : 'minutes'})`;
}
