import { createProtectionGroupStore } from '@rackops/core/replication/protection-group-store';
import type { ProtectionGroupInput } from '@rackops/core/replication/protection-group.schema';
import { ConflictError, ValidationError } from '@rackops/core/util/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from './helpers/test-store';

const group = (over: Partial<ProtectionGroupInput> = {}): ProtectionGroupInput => ({
  name: 'prod-vms',
  source: { vcenterId: 'vc-lab', datastore: 'nfs-prod', appliance: 'zfs-a', dataset: 'tank/prod' },
  target: { vcenterId: 'vc-dr', datastore: 'nfs-dr', appliance: 'zfs-b', dataset: 'dr/prod' },
  members: { kind: 'datastore' },
  rpoMinutes: 15,
  retention: {},
  createdBy: { kind: 'user', id: 'alice' },
  createdAt: '2026-12-05T12:00:00Z',
  ...over,
});

describe('protection group store', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await startTestStore();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates with defaults, refuses a duplicate and a bad dataset', async () => {
    const pgs = createProtectionGroupStore(t.store);
    const created = await pgs.create(group());
    expect(created).toMatchObject({
      state: 'active',
      transport: 'agent',
      retention: { frequent: 4, hourly: 24 },
    });
    await expect(pgs.create(group())).rejects.toBeInstanceOf(ConflictError);
    await expect(
      pgs.create(group({ name: 'bad', source: { ...group().source, dataset: 'tank/x; rm -rf /' } })),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await pgs.list()).map((g) => g.name)).toEqual(['prod-vms']);
  });

  it('records replicas; an older replica recorded late does not move lastReplica back', async () => {
    const pgs = createProtectionGroupStore(t.reopen());
    const r = (snapshotAt: string, snapshot: string) => ({
      snapshot,
      snapshotAt,
      completedAt: snapshotAt,
      bytes: 10,
      incremental: true,
      seconds: 1,
    });
    await pgs.recordReplica('prod-vms', r('2026-12-05T12:15:00Z', 'rackops-prod-vms-20261205T121500Z'));
    const g = await pgs.recordReplica(
      'prod-vms',
      r('2026-12-05T12:00:00Z', 'rackops-prod-vms-20261205T120000Z'),
    );
    expect(g.lastReplica?.snapshot).toBe('rackops-prod-vms-20261205T121500Z');
    expect((await pgs.listReplicas('prod-vms')).map((x) => x.snapshotAt)).toEqual([
      '2026-12-05T12:00:00Z',
      '2026-12-05T12:15:00Z',
    ]);
  });

  it('an update against a stale version loses', async () => {
    const pgs = createProtectionGroupStore(t.store);
    const read = await pgs.get('prod-vms');
    await pgs.update('prod-vms', (g) => ({ ...g, state: 'paused' }));
    await expect(
      t.store.putRecord(
        { type: 'protection-group', id: 'prod-vms', data: read?.value },
        { ifVersion: read?.storeVersion ?? 0 },
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await pgs.get('prod-vms'))?.value.state).toBe('paused');
  });
});
