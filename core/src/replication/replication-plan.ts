/** A snapshot as `zfs list -t snapshot -o name,guid,createtxg` reports it: the tag after `@`. */
export interface SnapshotInfo {
  tag: string;
  /** The same snapshot on two pools has the same guid; the same name with another guid is a different one. */
  guid: string;
  createtxg: number;
}

const byTxg = (a: SnapshotInfo, b: SnapshotInfo) => a.createtxg - b.createtxg;

/**
 * The newest source snapshot that also exists on the target — same tag and same guid. A name alone is not
 * proof: a snapshot destroyed and re-taken under the same name cannot be an incremental base.
 */
export function newestCommonSnapshot(
  source: readonly SnapshotInfo[],
  target: readonly SnapshotInfo[],
): SnapshotInfo | undefined {
  const onTarget = new Map(target.map((s) => [s.tag, s.guid]));
  return [...source]
    .sort(byTxg)
    .reverse()
    .find((s) => onTarget.get(s.tag) === s.guid);
}

export type ReplicationPlan =
  | { kind: 'full'; to: string }
  | { kind: 'incremental'; from: string; to: string }
  | { kind: 'up-to-date'; at: string }
  | { kind: 'refuse'; reason: string };

/**
 * What to send to bring the target to `to` (a source snapshot, normally the one just taken). First time
 * (target absent or without snapshots): a full send. Otherwise an increment from the newest common snapshot.
 * Never a plan that throws target data away: a target with snapshots but none in common, or with snapshots
 * newer than the common one, is refused with the reason, for a person to decide.
 */
export function planReplication(input: {
  source: readonly SnapshotInfo[];
  /** undefined when the target dataset does not exist yet. */
  target: readonly SnapshotInfo[] | undefined;
  to: string;
}): ReplicationPlan {
  const toSnap = input.source.find((s) => s.tag === input.to);
  if (!toSnap) return { kind: 'refuse', reason: `snapshot ${input.to} is not on the source` };
  const target = input.target ?? [];
  if (target.length === 0) return { kind: 'full', to: input.to };
  const already = target.find((s) => s.tag === input.to);
  if (already && already.guid === toSnap.guid) return { kind: 'up-to-date', at: input.to };
  const common = newestCommonSnapshot(
    input.source.filter((s) => s.createtxg <= toSnap.createtxg),
    target,
  );
  if (!common) {
    return {
      kind: 'refuse',
      reason: 'the target has snapshots but none in common with the source; a full resend would destroy them',
    };
  }
  const baseTxg = target.find((t) => t.tag === common.tag)?.createtxg ?? 0;
  const newerOnTarget = target.filter((s) => s.createtxg > baseTxg);
  if (newerOnTarget.length > 0) {
    return {
      kind: 'refuse',
      reason: `the target has snapshots newer than the common ${common.tag}: ${newerOnTarget.map((s) => s.tag).join(', ')}`,
    };
  }
  return { kind: 'incremental', from: common.tag, to: input.to };
}
