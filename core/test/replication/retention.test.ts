import { describe, expect, it } from 'vitest';
import { pruneSnapshots } from '../../src/replication/retention';
import { snapshotTag } from '../../src/replication/snapshot-name';

const at = (iso: string) => snapshotTag('pg', new Date(iso));
/** One snapshot every 15 minutes for `hours` hours ending at `end`, oldest first. */
function every15(end: string, hours: number): string[] {
  const out: string[] = [];
  const endMs = Date.parse(end);
  for (let i = hours * 4 - 1; i >= 0; i--) out.push(snapshotTag('pg', new Date(endMs - i * 900_000)));
  return out;
}

describe('pruning by retention', () => {
  it('keeps the newest N, then the newest per hour (the current hour counts), and destroys the rest', () => {
    const tags = every15('2026-12-05T12:00:00Z', 4);
    const d = pruneSnapshots('pg', tags, { frequent: 2, hourly: 4, daily: 0, weekly: 0 }, new Set());
    expect(d.keep).toEqual([
      at('2026-12-05T12:00:00Z'),
      at('2026-12-05T11:45:00Z'),
      at('2026-12-05T10:45:00Z'),
      at('2026-12-05T09:45:00Z'),
    ]);
    expect(d.destroy).toHaveLength(tags.length - 4);
    expect(new Set([...d.keep, ...d.destroy])).toEqual(new Set(tags));
  });

  it('never destroys the protected newest common snapshot, even when every rule would', () => {
    const tags = every15('2026-12-05T12:00:00Z', 2);
    const common = tags[0] as string;
    const d = pruneSnapshots('pg', tags, { frequent: 1, hourly: 0, daily: 0, weekly: 0 }, new Set([common]));
    expect(d.keep).toContain(common);
    expect(d.destroy).not.toContain(common);
    expect(d.keep).toContain(tags.at(-1));
  });

  it('never lists snapshots that are not the group’s', () => {
    const tags = [
      'before-upgrade',
      snapshotTag('other', new Date('2026-01-01T00:00:00Z')),
      ...every15('2026-12-05T12:00:00Z', 1),
    ];
    const d = pruneSnapshots('pg', tags, { frequent: 1, hourly: 0, daily: 0, weekly: 0 }, new Set());
    expect(d.destroy).toHaveLength(3);
    expect([...d.keep, ...d.destroy]).not.toContain('before-upgrade');
  });

  it('daily and weekly buckets keep the newest snapshot of each day and week (weeks start on Monday)', () => {
    const tags = [
      at('2026-11-29T10:00:00Z'), // Sunday
      at('2026-11-30T09:00:00Z'), // Monday
      at('2026-11-30T10:00:00Z'),
      at('2026-12-01T10:00:00Z'),
    ];
    const daily = pruneSnapshots('pg', tags, { frequent: 1, hourly: 0, daily: 3, weekly: 0 }, new Set());
    expect(daily.destroy).toEqual([at('2026-11-30T09:00:00Z')]);
    const weekly = pruneSnapshots('pg', tags, { frequent: 1, hourly: 0, daily: 0, weekly: 2 }, new Set());
    expect(weekly.keep).toEqual([at('2026-12-01T10:00:00Z'), at('2026-11-29T10:00:00Z')]);
  });
});
