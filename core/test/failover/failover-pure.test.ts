import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.schema';
import { failoverPauseOf } from '../../src/usecases/failover';
import { sourceAccessLine } from '../../src/workflows/ops/failover-decide.op';
import { Fo, failoverDatastore, lossWindowSeconds, shutdownLine } from '../../src/workflows/ops/failover.op';
import { aJob } from '../job-factory';

describe('failover pure pieces', () => {
  it('a re-parse of the failover state keeps what later states added (the unplanned Commit reads fo.snapshot)', () => {
    const fo = {
      group: 'gold',
      mode: 'unplanned',
      sourceAppliance: 'nas-src',
      targetAppliance: 'nas-dst',
      sourceVcenterId: 'vc-src',
      vcenterId: 'vc-dr',
      sourceDatastore: 'vmstore',
      sourceDataset: 'tank/vmstore',
      targetDataset: 'dr/vmstore',
      datastore: 'rackops-fo-gold',
      replica: { snapshot: 'rackops-gold-20261207T000000Z', snapshotAt: '2026-12-07T00:00:00Z' },
      params: {
        mode: 'unplanned',
        reason: 'site A lost power',
        vms: ['web-01'],
        resourcePoolMoref: 'resgroup-1',
        hostMorefs: ['host-1'],
        nfsServer: '10.0.0.5',
      },
      snapshot: 'rackops-gold-20261207T000500Z',
      pair: { source: 'nas-src' },
    };
    expect(Fo.parse(fo)).toMatchObject({ snapshot: fo.snapshot, pair: fo.pair });
  });

  it('the loss window is the replica’s age at the failure, in whole seconds, never negative', () => {
    expect(lossWindowSeconds('2026-12-07T00:00:00Z', '2026-12-07T00:12:30.400Z')).toBe(750);
    expect(lossWindowSeconds('2026-12-07T00:00:00Z', '2026-12-07T00:00:00.600Z')).toBe(1);
    expect(lossWindowSeconds('2026-12-07T00:00:05Z', '2026-12-07T00:00:00Z')).toBe(0);
  });

  it('names how each source VM went off; a power-off after the timeout says the timeout', () => {
    const off = (
      how: 'already-off' | 'guest-shutdown' | 'powered-off-after-timeout' | 'powered-off-no-tools',
    ) => shutdownLine({ name: 'web-01', done: { powerState: 'poweredOff', how, timeoutSeconds: 90 } });
    expect(off('guest-shutdown')).toBe('guest shut down');
    expect(off('powered-off-after-timeout')).toBe('powered off after the 90 s guest shutdown timeout');
    expect(off('powered-off-no-tools')).toMatch(/no VMware Tools/);
    expect(off('already-off')).toBe('already off');
    expect(shutdownLine({ name: 'web-01', error: { Error: 'NotFound', Cause: 'vm-1 is gone' } })).toMatch(
      /^not shut down: .*vm-1 is gone/,
    );
  });

  it('the decision a paused failover waits for comes from its details; anything else is none', () => {
    const job = (pause: unknown) => ({ ...aJob(), details: { pause } }) as unknown as Job;
    expect(failoverPauseOf(job('decide'))).toBe('decide');
    expect(failoverPauseOf(job('confirm-rollback'))).toBe('confirm-rollback');
    expect(failoverPauseOf(job(null))).toBeUndefined();
    expect(failoverPauseOf(job('commit'))).toBeUndefined();
  });

  it('the DR datastore is a RackOps one, per group', () => {
    expect(failoverDatastore('gold')).toBe('rackops-fo-gold');
  });

  it('the source access line: what became of the source, and what to do by hand only when something is left', () => {
    expect(sourceAccessLine({})).toBeUndefined();
    expect(sourceAccessLine({ sourceReadonly: { readonly: true } })?.text).toBe(
      'source set read-only (since the shutdown)',
    );
    expect(sourceAccessLine({ sourceReadonly: {}, sourceWritable: {} })).toEqual({
      text: 'source writable again',
    });
    expect(sourceAccessLine({ sourceReadonly: {}, sourceHandover: {} })?.text).toBe(
      'source read-only: the replica from now on',
    );
    const stuck = sourceAccessLine({
      sourceReadonly: {},
      sourceWritableError: { Error: 'Timeout', Cause: 'agent gone' },
    });
    expect(stuck?.text).toBe('still read-only');
    expect(stuck?.problem).toMatch(/source not writable again: .*by hand/);
    expect(
      sourceAccessLine({
        sourceWritableError: { Error: 'not_a_source', Cause: 'tank/x is a replica of gold' },
      }),
    ).toEqual({ text: 'left as it is (a replica, not a source)' });
  });
});
