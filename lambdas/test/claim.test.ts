import { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { INVENTORY_TYPES } from '@rackops/core/inventory/inventory.schema';
import { systemClock } from '@rackops/core/ports/clock.port';
import { startHealthReads } from '@rackops/core/usecases/health-reads';
import { createClaimHandler } from '../src/handlers/claim.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

// Stand-in workflows: they wait on a token so the job stays running while the test looks at it.
const waiting = {
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'dispatch',
        Payload: { 'jobId.$': '$.jobId', 'taskToken.$': '$$.Task.Token' },
      },
      End: true,
    },
  },
};

let t: TestStore;
let engine: LocalEngine;
let claim: ReturnType<typeof createClaimHandler>;
beforeAll(async () => {
  t = await startTestStore();
  // No 'scp-export' definition: starting such a job fails, which the claim must turn into a failed job.
  engine = new LocalEngine({
    store: t.store,
    definitions: { 'power-operation': waiting, 'inventory-sync': waiting },
    functions: { dispatch: async () => ({}) },
  });
  claim = createClaimHandler({ store: t.store, orchestrator: createLocalOrchestrator(engine) });
});
afterAll(async () => {
  await engine?.stop();
  await t?.close();
});

const due = (over: Parameters<typeof aJob>[0] = {}) =>
  t.store.createJob(aJob({ type: 'power_operation', target: { kind: 'host', id: 'ABC1234' }, ...over }));

describe('claim handler', () => {
  it('claims a due pending job and starts its workflow, named by the job id', async () => {
    const job = await due();
    const out = await claim({ kind: 'job', jobId: job.id });
    expect(out).toEqual({ outcome: 'started', jobId: job.id, status: 'running' });
    const stored = await t.store.getJob(job.id);
    expect(stored?.status).toBe('running');
    expect(stored?.executionId).toMatch(new RegExp(`:power-operation:${job.id}$`));
    expect(await engine.describeExecution(stored?.executionId ?? '')).toMatchObject({ status: 'RUNNING' });
  });

  it('exactly one of two simultaneous claims starts the job', async () => {
    const job = await due();
    const outs = await Promise.all([
      claim({ kind: 'job', jobId: job.id }),
      claim({ kind: 'job', jobId: job.id }),
    ]);
    expect(outs.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(engine.runningExecutionIds().filter((id) => id.endsWith(job.id))).toHaveLength(1);
  });

  it('is a no-op with a console line for a job no longer pending', async () => {
    const job = await due();
    await t.store.transitionJob(job.id, { type: 'cancel', actor: { kind: 'user', id: 'u-bob' } });
    expect(await claim({ kind: 'job', jobId: job.id })).toMatchObject({ outcome: 'skipped' });
    expect((await t.store.listLog(job.id)).items.map((l) => l.message)).toEqual([
      'scheduled start skipped: the job is already cancelled',
    ]);
    expect(await claim({ kind: 'job', jobId: 'no-such-job' })).toMatchObject({
      outcome: 'skipped',
      reason: 'no such job',
    });
  });

  it('does not start a job that still awaits approval', async () => {
    const job = await due({ requiresApproval: true });
    expect(await claim({ kind: 'job', jobId: job.id })).toMatchObject({ outcome: 'skipped' });
    expect((await t.store.getJob(job.id))?.status).toBe('pending');
  });

  it('fails the job with the reason when its workflow cannot be started', async () => {
    const job = await due({ type: 'scp_export' });
    const out = await claim({ kind: 'job', jobId: job.id });
    expect(out).toMatchObject({ outcome: 'started', status: 'failed' });
    const stored = await t.store.getJob(job.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toMatch(/could not start the workflow: .*scp-export/);
  });

  it('creates and starts an inventory sync, and does not stack a second one on a running sync', async () => {
    const first = await claim({ kind: 'inventory-sync', source: 'vcenter', sourceId: 'vc-claim' });
    expect(first).toMatchObject({ outcome: 'started', status: 'running' });
    const second = await claim({ kind: 'inventory-sync', source: 'vcenter', sourceId: 'vc-claim' });
    expect(second).toMatchObject({ outcome: 'skipped' });
  });

  it('with health reads on, a vCenter sync tick also starts one hardware health read per host of that vCenter', async () => {
    const host = (id: string, vcenterId: string) => ({
      type: INVENTORY_TYPES.host,
      id,
      parent: 'domain-c9',
      data: {
        id,
        name: `esx-${id.toLowerCase()}`,
        vcenterId,
        clusterId: 'domain-c9',
        moref: `host-${id}`,
        serviceTag: id,
        connectionState: 'connected',
        inMaintenanceMode: false,
        cpuMhz: 1,
        memoryMiB: 1,
      },
    });
    for (const r of [host('HLT0001', 'vc-health'), host('HLT0002', 'vc-health'), host('OTH0001', 'vc-other')])
      await t.store.putRecord(r);
    const withReads = createClaimHandler({
      store: t.store,
      orchestrator: createLocalOrchestrator(engine),
      healthReads: true,
    });
    const out = await withReads({ kind: 'inventory-sync', source: 'vcenter', sourceId: 'vc-health' });
    expect(out).toMatchObject({ outcome: 'started', healthReads: 2 });
    for (const tag of ['HLT0001', 'HLT0002']) {
      const [read] = (await t.store.listJobsByTarget('host', tag, { limit: 5 })).items;
      expect(read).toMatchObject({ type: 'inventory_sync', params: { read: 'health' }, status: 'running' });
    }
    expect((await t.store.listJobsByTarget('host', 'OTH0001', { limit: 5 })).items).toEqual([]);
    // The reads still run: the next tick's reads are not stacked on them.
    const orchestrator = createLocalOrchestrator(engine);
    expect(await startHealthReads({ store: t.store, orchestrator, clock: systemClock }, 'vc-health')).toBe(0);
  });

  it('refuses a malformed schedule target', async () => {
    await expect(claim({ kind: 'job' })).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
