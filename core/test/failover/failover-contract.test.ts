import { describe, expect, it } from 'vitest';
import { failoverConflicts } from '../../src/failover/failover-conflicts';
import { FailoverParams } from '../../src/failover/failover.schema';
import type { Job } from '../../src/jobs/job.schema';
import { aJob } from '../job-factory';

const job = (over: Partial<Job>): Job =>
  ({ ...aJob(), status: 'running', version: 1, ...over }) as unknown as Job;

const base = {
  vms: ['web-01', 'db-01'],
  sourceMorefs: { 'web-01': 'vm-1', 'db-01': 'vm-2' },
  resourcePoolMoref: 'resgroup-1',
  hostMorefs: ['host-10'],
  nfsServer: '10.0.0.5',
};

describe('failover params', () => {
  it('a planned failover with every source moref parses with its defaults', () => {
    expect(FailoverParams.parse(base)).toMatchObject({
      mode: 'planned',
      portGroup: 'VM Network',
      shutdownTimeoutSeconds: 300,
      networkMap: {},
    });
  });

  it('refuses an unplanned failover without a reason, a planned one missing a source moref, a stray map', () => {
    const issue = (p: unknown) => FailoverParams.safeParse(p).error?.issues[0]?.message;
    expect(issue({ ...base, mode: 'unplanned' })).toMatch(/needs a reason/);
    expect(
      FailoverParams.safeParse({ ...base, mode: 'unplanned', reason: 'site A down', sourceMorefs: {} })
        .success,
    ).toBe(true);
    expect(issue({ ...base, sourceMorefs: { 'web-01': 'vm-1' } })).toMatch(/no source moref for db-01/);
    expect(issue({ ...base, networkMap: { 'app-09': 'prod' } })).toMatch(
      /app-09 is mapped but not failed over/,
    );
    expect(issue({ ...base, failedAt: '2026-12-07T00:00:00Z' })).toMatch(/unplanned/);
  });
});

describe('failover conflicts', () => {
  const scope = { group: 'gold', vms: ['web-01', 'db-01'], clusterIds: ['dr-a', 'src-a'], hostIds: ['H1'] };

  it('none beside unrelated or ended jobs', () => {
    expect(
      failoverConflicts(
        [
          job({ type: 'rolling_cluster_update', target: { kind: 'cluster', id: 'other' } }),
          job({ type: 'failover', status: 'completed', target: { kind: 'protection_group', id: 'gold' } }),
          job({ type: 'replication_sync', target: { kind: 'protection_group', id: 'gold' } }),
          job({
            type: 'failover',
            target: { kind: 'protection_group', id: 'silver' },
            params: { vms: ['app-1'] },
          }),
        ],
        scope,
      ),
    ).toEqual([]);
  });

  it('names a rollout on a cluster or host in scope, a failover or test of the group or of a shared VM', () => {
    const found = failoverConflicts(
      [
        job({ id: 'j1', type: 'rolling_cluster_update', target: { kind: 'cluster', id: 'dr-a' } }),
        job({ id: 'j2', type: 'firmware_update', status: 'pending', target: { kind: 'host', id: 'H1' } }),
        job({
          id: 'j3',
          type: 'failover_test',
          status: 'paused',
          target: { kind: 'protection_group', id: 'gold' },
        }),
        job({
          id: 'j4',
          type: 'failover',
          target: { kind: 'protection_group', id: 'x' },
          params: { vms: ['db-01'] },
        }),
      ],
      scope,
    );
    expect(found).toEqual([
      'a rollout on cluster dr-a is running (job j1)',
      'a rollout on host H1 is pending (job j2)',
      'a test failover of gold is paused (job j3)',
      'a failover of db-01 is running (job j4)',
    ]);
  });
});
