import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { createExecutionStatusHandler } from '../src/handlers/execution-status.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';

let t: TestStore;
let handle: ReturnType<typeof createExecutionStatusHandler>;
beforeAll(async () => {
  t = await startTestStore();
  handle = createExecutionStatusHandler({ store: t.store });
});
afterAll(async () => {
  await t.close();
});

const event = (name: string, status: string, extra: Record<string, unknown> = {}) => ({
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { executionArn: `arn:aws:states:eu-west-1:1:execution:rackops-x:${name}`, name, status, ...extra },
});

async function runningJob() {
  const job = await t.store.createJob(aJob());
  await t.store.claimJob(job.id, { kind: 'system', id: 'rackops' }, new Date().toISOString());
  return job.id;
}

describe('execution status handler', () => {
  it('fails a job still running when its execution failed, with the error', async () => {
    const id = await runningJob();
    expect(await handle(event(id, 'FAILED', { error: 'States.Runtime', cause: 'bad path' }))).toEqual({
      failedJob: id,
    });
    expect(await t.store.getJob(id)).toMatchObject({
      status: 'failed',
      error: 'the workflow failed: States.Runtime (bad path)',
    });
  });

  it('leaves a job its workflow already finished, and ignores RUNNING', async () => {
    const id = await runningJob();
    await t.store.transitionJob(id, { type: 'complete', actor: { kind: 'system', id: 'rackops' } });
    expect(await handle(event(id, 'SUCCEEDED'))).toEqual({});
    expect((await t.store.getJob(id))?.status).toBe('completed');
    const other = await runningJob();
    expect(await handle(event(other, 'RUNNING'))).toEqual({});
    expect((await t.store.getJob(other))?.status).toBe('running');
  });

  it('refuses events that are not Step Functions status changes', async () => {
    await expect(handle({ source: 'aws.ec2', detail: {} })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
