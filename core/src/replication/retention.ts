import { parseSnapshotTag } from './snapshot-name';
import type { ProtectionGroupName } from './zfs-names';

/** How many of the group's snapshots to keep: the newest `frequent`, then the newest one per hour/day/week. */
export interface Retention {
  frequent: number;
  hourly: number;
  daily: number;
  weekly: number;
}

export interface PruneDecision {
  keep: string[];
  destroy: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Weeks counted from a Monday (1970-01-05), so a week bucket is Monday..Sunday UTC. */
const MONDAY_EPOCH = 4 * DAY;

/**
 * Which of the group's snapshot tags to destroy. Tags that are not this group's are never listed, and
 * `protect` (the newest common snapshot, the next increment's base) is always kept whatever the rules say:
 * on an appliance without `zfs hold` this rule is the only thing that keeps the chain whole. The newest of
 * the group's snapshots is always kept too.
 */
export function pruneSnapshots(
  group: ProtectionGroupName,
  tags: readonly string[],
  retention: Retention,
  protect: ReadonlySet<string>,
): PruneDecision {
  const ours = tags
    .map((tag) => ({ tag, at: parseSnapshotTag(group, tag) }))
    .filter((s): s is { tag: string; at: Date } => s.at !== undefined)
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  const keep = new Set<string>(ours.slice(0, Math.max(1, retention.frequent)).map((s) => s.tag));
  const bucketed = (size: number, offset: number, count: number) => {
    const seen = new Set<number>();
    for (const s of ours) {
      if (seen.size >= count) break;
      const bucket = Math.floor((s.at.getTime() - offset) / size);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep.add(s.tag);
    }
  };
  bucketed(HOUR, 0, retention.hourly);
  bucketed(DAY, 0, retention.daily);
  bucketed(7 * DAY, MONDAY_EPOCH, retention.weekly);
  for (const s of ours) if (protect.has(s.tag)) keep.add(s.tag);
  return {
    keep: ours.filter((s) => keep.has(s.tag)).map((s) => s.tag),
    destroy: ours.filter((s) => !keep.has(s.tag)).map((s) => s.tag),
  };
}
