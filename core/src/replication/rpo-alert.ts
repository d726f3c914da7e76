import type { Clock } from '../ports/clock.port';
import type { Notifier } from '../ports/notifier.port';
import type { Store } from '../ports/store.port';
import { formatDuration } from '../util/duration';
import type { ProtectionGroup } from './protection-group.schema';
import { isRunnable, rpoClockStart } from './group-approval';
import { rpoStatus } from './rpo';

/** One record per group: the breach already told (`since`), so each breach is told once, not at every tick. */
export const RPO_ALERT_TYPE = 'rpo-alert';

export interface RpoAlertDeps {
  store: Store;
  notifier: Notifier;
  clock: Clock;
}

/** The group's newest replica (or its approval, before its first) is older than its RPO; never when paused or unapproved. */
export function isPastRpo(g: ProtectionGroup, now: Date): boolean {
  return rpoStatus({
    rpoMinutes: g.rpoMinutes,
    now,
    createdAt: rpoClockStart(g),
    paused: !isRunnable(g),
    ...(g.lastReplica ? { lastSnapshotAt: g.lastReplica.snapshotAt } : {}),
  }).breached;
}

/**
 * Tells people when the group's newest replica is older than its RPO. A breach is named by when its
 * replica was taken: the ticks and failed runs that follow say nothing new, and a later replica that ages
 * past the RPO again is a new breach. Returns whether the group is in breach now.
 */
export async function checkRpoBreach(deps: RpoAlertDeps, g: ProtectionGroup): Promise<boolean> {
  const since = g.lastReplica?.snapshotAt ?? g.createdAt;
  if (!isPastRpo(g, deps.clock.now())) return false;
  const told = await deps.store.getRecord<{ since?: string }>(RPO_ALERT_TYPE, g.name);
  if (told?.data.since === since) return true;
  await deps.store.putRecord({ type: RPO_ALERT_TYPE, id: g.name, data: { since } });
  const detail = g.lastReplica
    ? `the newest replica (${g.lastReplica.snapshot}) was taken at ${since}, more than the RPO of ${formatDuration(g.rpoMinutes * 60)} ago`
    : `no replica yet since the group was created at ${since}, more than the RPO of ${formatDuration(g.rpoMinutes * 60)} ago`;
  await deps.notifier.notify({
    kind: 'rpo_breached',
    group: g.name,
    since,
    detail: `${detail}; see \`pg ${g.name}\` and the last replication job`,
    ...(g.conversationId ? { conversationId: g.conversationId } : {}),
  });
  return true;
}
