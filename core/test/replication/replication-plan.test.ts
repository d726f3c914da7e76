import { describe, expect, it } from 'vitest';
import {
  newestCommonSnapshot,
  planReplication,
  type SnapshotInfo,
} from '../../src/replication/replication-plan';

const snap = (tag: string, guid: string, createtxg: number): SnapshotInfo => ({ tag, guid, createtxg });
const s1 = snap('s1', 'g1', 10);
const s2 = snap('s2', 'g2', 20);
const s3 = snap('s3', 'g3', 30);

describe('newest common snapshot', () => {
  it('is the newest source snapshot on the target with the same guid', () => {
    expect(newestCommonSnapshot([s3, s1, s2], [snap('s1', 'g1', 5), snap('s2', 'g2', 7)])?.tag).toBe('s2');
  });

  it('a same-named snapshot with another guid is not common', () => {
    expect(newestCommonSnapshot([s1, s2], [snap('s1', 'g1', 5), snap('s2', 'other', 7)])?.tag).toBe('s1');
    expect(newestCommonSnapshot([s1], [snap('s1', 'other', 5)])).toBeUndefined();
  });
});

describe('replication plan', () => {
  it('is a full send the first time (target absent or empty)', () => {
    expect(planReplication({ source: [s1], target: undefined, to: 's1' })).toEqual({
      kind: 'full',
      to: 's1',
    });
    expect(planReplication({ source: [s1], target: [], to: 's1' })).toEqual({ kind: 'full', to: 's1' });
  });

  it('is an increment from the newest common snapshot', () => {
    const target = [snap('s1', 'g1', 3), snap('s2', 'g2', 4)];
    expect(planReplication({ source: [s1, s2, s3], target, to: 's3' })).toEqual({
      kind: 'incremental',
      from: 's2',
      to: 's3',
    });
  });

  it('sends nothing when the target already has the snapshot (a replayed command)', () => {
    const target = [snap('s1', 'g1', 3), snap('s2', 'g2', 4)];
    expect(planReplication({ source: [s1, s2], target, to: 's2' })).toEqual({ kind: 'up-to-date', at: 's2' });
  });

  it('refuses a target with snapshots but nothing in common, rather than overwrite it', () => {
    const plan = planReplication({ source: [s1, s2], target: [snap('x', 'gx', 3)], to: 's2' });
    expect(plan.kind).toBe('refuse');
  });

  it('refuses when the target has snapshots newer than the common one', () => {
    const target = [snap('s1', 'g1', 3), snap('local', 'gl', 9)];
    const plan = planReplication({ source: [s1, s2], target, to: 's2' });
    expect(plan).toMatchObject({ kind: 'refuse' });
    expect(plan.kind === 'refuse' && plan.reason).toContain('local');
  });

  it('refuses a snapshot that is not on the source', () => {
    expect(planReplication({ source: [s1], target: [], to: 'nope' }).kind).toBe('refuse');
  });
});
