import { describe, expect, it } from 'vitest';
import { parseSnapshotTag, snapshotTag } from '../../src/replication/snapshot-name';
import { ProtectionGroupName, ZfsDatasetName, ZfsSnapshotName } from '../../src/replication/zfs-names';

describe('snapshot names', () => {
  it('are rackops-<group>-<UTC stamp> and parse back to the second', () => {
    const at = new Date('2026-12-05T21:07:09.123Z');
    const tag = snapshotTag('prod-vms', at);
    expect(tag).toBe('rackops-prod-vms-20261205T210709Z');
    expect(parseSnapshotTag('prod-vms', tag)?.toISOString()).toBe('2026-12-05T21:07:09.000Z');
  });

  it('another group, a longer group name, an operator snapshot or a bad stamp are not ours', () => {
    const tag = snapshotTag('prod-vms', new Date('2026-12-05T21:07:09Z'));
    expect(parseSnapshotTag('prod', tag)).toBeUndefined();
    expect(parseSnapshotTag('prod-vms-2', tag)).toBeUndefined();
    expect(parseSnapshotTag('prod-vms', 'before-upgrade')).toBeUndefined();
    expect(parseSnapshotTag('prod-vms', 'rackops-prod-vms-20261305T210709Z')).toBeUndefined();
    expect(parseSnapshotTag('prod-vms', `${tag}x`)).toBeUndefined();
  });

  it('name order is time order', () => {
    const a = snapshotTag('g', new Date('2026-01-09T23:59:59Z'));
    const b = snapshotTag('g', new Date('2026-01-10T00:00:00Z'));
    expect(a < b).toBe(true);
  });
});

describe('ZFS names refuse anything that is not a plain name', () => {
  it.each([
    'tank/vm; rm -rf /',
    'tank/$(reboot)',
    'tank/my data',
    '-o',
    'tank/-R',
    'tank//x',
    'tank/x/',
    "tank/x'",
    'tank/x`id`',
    'tank/x\nother',
    '1tank/x',
  ])('dataset %j is refused', (name) => {
    expect(ZfsDatasetName.safeParse(name).success).toBe(false);
  });

  it('plain datasets and snapshots pass', () => {
    expect(ZfsDatasetName.safeParse('tank/vmstore').success).toBe(true);
    expect(ZfsDatasetName.safeParse('dr_pool/site-b/vm.store:1').success).toBe(true);
    expect(ZfsSnapshotName.safeParse('tank/vmstore@rackops-a-20261205T210709Z').success).toBe(true);
    expect(ZfsSnapshotName.safeParse('tank/vmstore@-x').success).toBe(false);
    expect(ZfsSnapshotName.safeParse('tank/vmstore@a@b').success).toBe(false);
  });

  it('group names are lower-case with single dashes', () => {
    expect(ProtectionGroupName.safeParse('prod-vms').success).toBe(true);
    for (const bad of ['Prod', 'a--b', '-a', 'a-', 'a b', 'a_b']) {
      expect(ProtectionGroupName.safeParse(bad).success).toBe(false);
    }
  });
});
