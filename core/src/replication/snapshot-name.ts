import type { ProtectionGroupName } from './zfs-names';

/** `rackops-<group>-<YYYYMMDDTHHMMSSZ>`: UTC, fixed width, so name order is time order. */
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function snapshotStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function snapshotTag(group: ProtectionGroupName, at: Date): string {
  return `rackops-${group}-${snapshotStamp(at)}`;
}

/**
 * The time a tag of this group was taken, or undefined for any other tag (another group's, an operator's,
 * a longer group name that merely starts with this one): the pruner only ever considers its own snapshots.
 */
export function parseSnapshotTag(group: ProtectionGroupName, tag: string): Date | undefined {
  const prefix = `rackops-${group}-`;
  if (!tag.startsWith(prefix)) return undefined;
  const m = STAMP.exec(tag.slice(prefix.length));
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
