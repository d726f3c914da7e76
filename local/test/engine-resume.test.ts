import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExecution } from '../src/engine/execution-record';
import { LocalEngine } from '../src/engine/local-engine';
import { opsTask, tokenTask } from '../src/testing/asl';
import { FunctionRecorder } from './helpers/function-recorder';
import { type TestStore, startTestStore } from './helpers/test-store';

// Prepare (ops) -> Stage (device, token) -> Pause (ops with token, like JobOps 'pause') -> Apply (device) -> Finish (ops)
const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: opsTask('prepare', 'Stage'),
    Stage: tokenTask({ kind: 'firmware.stage', next: 'Pause', resultPath: '$.staged', heartbeat: 600 }),
    Pause: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'arn:aws:lambda:local:000000000000:function:job-ops',
        Payload: { op: 'pause', 'jobId.$': '$.jobId', 'taskToken.$': '$$.Task.Token' },
      },
      ResultPath: '$.resolution',
      Next: 'Apply',
    },
    Apply: tokenTask({ kind: 'host.apply-and-reboot', next: 'Finish', resultPath: '$.applied' }),
    Finish: opsTask('finish'),
  },
};

let t: TestStore;
const engines: LocalEngine[] = [];
beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
});
afterAll(async () => {
  await t.close();
});

/** A fresh engine over a fresh Store client on the same table: what `npm start` after a crash gets. */
function boot(dispatch: FunctionRecorder, ops: FunctionRecorder): LocalEngine {
  const e = new LocalEngine({
    store: t.reopen(),
    definitions: { wf: definition },
    functions: { dispatch: dispatch.fn, 'job-ops': ops.fn },
    timeScale: 0.01,
  });
  engines.push(e);
  return e;
}

const opsCalled = (ops: FunctionRecorder) => ops.calls.map((c) => c.payload.op);

describe('local engine: resume after a restart', () => {
  it('re-enters the state it was in with its checkpointed input and the same token; earlier steps do not re-run', async () => {
    const dispatch1 = new FunctionRecorder();
    const ops1 = new FunctionRecorder();
    const first = boot(dispatch1, ops1);
    const { executionId } = await first.startExecution({
      workflow: 'wf',
      name: 'job-r1',
      input: { jobId: 'job-r1' },
    });
    const stageToken = await dispatch1.nextToken();
    await expect
      .poll(async () => (await loadExecution(t.store, executionId))?.checkpoint?.taskToken)
      .toBe(stageToken);

    await first.stop(); // crash: the execution stays RUNNING in the Store
    expect((await loadExecution(t.store, executionId))?.status).toBe('RUNNING');

    const dispatch2 = new FunctionRecorder();
    const ops2 = new FunctionRecorder();
    const second = boot(dispatch2, ops2);
    expect(await second.resumeAll()).toBe(1);
    const again = await dispatch2.next();
    expect(again.payload).toMatchObject({ jobId: 'job-r1', command: { kind: 'firmware.stage' } });
    expect(again.payload.taskToken).toBe(stageToken); // a result for the first dispatch still lands
    expect(opsCalled(ops2)).toEqual([]); // Prepare did not run again

    await second.sendTaskSuccess(stageToken, { staged: true });
    const pauseToken = (await ops2.next()).payload.taskToken as string;
    await second.sendTaskSuccess(pauseToken, { resolutionId: 'r-1' });
    await second.sendTaskSuccess(await dispatch2.nextToken(), { rebooted: true });
    await second.waitForExecution(executionId);

    const rec = await loadExecution(t.store, executionId);
    expect(rec).toMatchObject({
      status: 'SUCCEEDED',
      resumes: 1,
      output: {
        jobId: 'job-r1',
        staged: { staged: true },
        resolution: { resolutionId: 'r-1' },
        applied: { rebooted: true },
      },
    });
    expect(opsCalled(ops2)).toEqual(['pause', 'finish']);
  });

  it('a paused execution survives a restart: the token the operator holds still resumes it', async () => {
    const dispatch1 = new FunctionRecorder();
    const ops1 = new FunctionRecorder();
    const first = boot(dispatch1, ops1);
    const { executionId } = await first.startExecution({
      workflow: 'wf',
      name: 'job-r2',
      input: { jobId: 'job-r2' },
    });
    await first.sendTaskSuccess(await dispatch1.nextToken(), { staged: true });
    await ops1.next(); // prepare
    const pauseCall = await ops1.next();
    expect(pauseCall.payload.op).toBe('pause');
    const heldByOperator = pauseCall.payload.taskToken as string; // JobOps stores it as the job's 'resume' token
    await expect
      .poll(async () => (await loadExecution(t.store, executionId))?.checkpoint?.state)
      .toBe('Pause');
    await expect
      .poll(async () => (await loadExecution(t.store, executionId))?.checkpoint?.taskToken)
      .toBe(heldByOperator);
    await first.stop();

    const dispatch2 = new FunctionRecorder();
    const ops2 = new FunctionRecorder();
    const second = boot(dispatch2, ops2);
    await second.resumeAll();
    expect((await ops2.next()).payload).toMatchObject({ op: 'pause', taskToken: heldByOperator });
    await second.sendTaskSuccess(heldByOperator, { resolutionId: 'r-2' });
    const applyToken = await dispatch2.nextToken();
    expect(dispatch2.calls.map((c) => (c.payload.command as { kind: string }).kind)).toEqual([
      'host.apply-and-reboot',
    ]);
    await second.sendTaskSuccess(applyToken, {});
    await second.waitForExecution(executionId);
    expect(await second.describeExecution(executionId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('does not resume finished or stopped executions', async () => {
    const dispatch1 = new FunctionRecorder();
    const first = boot(dispatch1, new FunctionRecorder());
    const { executionId } = await first.startExecution({
      workflow: 'wf',
      name: 'job-r3',
      input: { jobId: 'job-r3' },
    });
    await dispatch1.next();
    await first.stopExecution(executionId, 'cancelled by test');
    await first.stop();

    const second = boot(new FunctionRecorder(), new FunctionRecorder());
    expect(await second.resumeAll()).toBe(0);
    expect(await second.describeExecution(executionId)).toMatchObject({ status: 'ABORTED' });
  });

  it('stop() leaves no timers or waiting tokens behind', async () => {
    const dispatch = new FunctionRecorder();
    const e = boot(dispatch, new FunctionRecorder());
    await e.startExecution({ workflow: 'wf', name: 'job-r4', input: { jobId: 'job-r4' } });
    await dispatch.next();
    expect(e.tokens.size()).toBe(1);
    await e.stop();
    expect(e.tokens.size()).toBe(0);
    expect(e.runningExecutionIds()).toEqual([]);
    await expect(e.startExecution({ workflow: 'wf', name: 'late', input: {} })).rejects.toMatchObject({
      name: 'ServiceUnavailable',
    });
  });
});
