import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../src/engine/local-engine';
import { loadExecution } from '../src/engine/execution-record';
import { opsTask, tokenTask } from '../src/testing/asl';
import { FunctionRecorder } from './helpers/function-recorder';
import { type TestStore, startTestStore } from './helpers/test-store';

// 1 s of ASL time = 10 ms of real time.
const SCALE = 0.01;

let t: TestStore;
let engine: LocalEngine | undefined;
beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});
afterAll(async () => {
  await t.close();
});

let runSeq = 0;
function startEngine(definition: object, dispatch: FunctionRecorder, ops = new FunctionRecorder()) {
  engine = new LocalEngine({
    store: t.store,
    definitions: { wf: definition },
    functions: { dispatch: dispatch.fn, 'job-ops': ops.fn },
    timeScale: SCALE,
  });
  return engine;
}
async function run(e: LocalEngine, input: object = { jobId: `job-${++runSeq}` }) {
  return (await e.startExecution({ workflow: 'wf', name: `run-${++runSeq}`, input })).executionId;
}
async function settled(e: LocalEngine, id: string) {
  await e.waitForExecution(id);
  return e.describeExecution(id);
}

describe('local engine: .waitForTaskToken', () => {
  it('gives the Task a real token and continues with the SendTaskSuccess output', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine({ StartAt: 'Step', States: { Step: tokenTask() } }, dispatch);
    const id = await run(e, { jobId: 'j-1' });
    const call = await dispatch.next();
    expect(call.payload).toMatchObject({ jobId: 'j-1', command: { kind: 'host.state' } });
    expect(call.payload.taskToken).toMatch(/^lsfn1\./);
    await e.sendTaskSuccess(call.payload.taskToken as string, { powered: 'On' });
    expect(await settled(e, id)).toMatchObject({
      status: 'SUCCEEDED',
      output: { jobId: 'j-1', result: { powered: 'On' } },
    });
  });

  it('fails the Task with the SendTaskFailure error and cause, which a Catch sees', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine(
      {
        StartAt: 'Step',
        States: { Step: tokenTask({ catchAll: 'Caught' }), Caught: { Type: 'Pass', End: true } },
      },
      dispatch,
    );
    const id = await run(e);
    await e.sendTaskFailure(await dispatch.nextToken(), 'idrac_job_failed', 'the update job failed');
    const out = await settled(e, id);
    expect(out?.output).toMatchObject({
      error: { Error: 'idrac_job_failed', Cause: 'the update job failed' },
    });
  });

  it('fails the execution with the task error when nothing catches it', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine({ StartAt: 'Step', States: { Step: tokenTask() } }, dispatch);
    const id = await run(e);
    await e.sendTaskFailure(await dispatch.nextToken(), 'unreachable', 'no route to iDRAC');
    expect(await settled(e, id)).toMatchObject({
      status: 'FAILED',
      error: 'unreachable',
      cause: 'no route to iDRAC',
    });
  });

  it('rejects unknown, finished and malformed tokens with the AWS error names', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine({ StartAt: 'Step', States: { Step: tokenTask() } }, dispatch);
    const id = await run(e);
    const token = await dispatch.nextToken();
    await e.sendTaskSuccess(token, {});
    await settled(e, id);
    await expect(e.sendTaskSuccess(token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(e.sendTaskHeartbeat(token)).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(e.sendTaskFailure('nonsense', 'x', 'y')).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('fails the Task with the dispatch function error when dispatching throws, without waiting', async () => {
    const dispatch = new FunctionRecorder(() => {
      throw new RangeError('bad params');
    });
    const e = startEngine(
      {
        StartAt: 'Step',
        States: { Step: tokenTask({ catchAll: 'Caught' }), Caught: { Type: 'Pass', End: true } },
      },
      dispatch,
    );
    const id = await run(e);
    const out = await settled(e, id);
    expect(out?.output).toMatchObject({ error: { Error: 'RangeError' } });
    const cause = (out?.output as { error: { Cause: string } } | undefined)?.error.Cause ?? '{}';
    expect(JSON.parse(cause)).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'bad params',
    });
    expect(e.tokens.size()).toBe(0);
  });

  it('fails the Task with States.HeartbeatTimeout when no heartbeat arrives in HeartbeatSeconds', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine(
      {
        StartAt: 'Step',
        States: {
          Step: tokenTask({ heartbeat: 5, catchAll: 'Caught' }),
          Caught: { Type: 'Pass', End: true },
        },
      },
      dispatch,
    );
    const started = Date.now();
    const id = await run(e);
    const token = await dispatch.nextToken();
    const out = await settled(e, id);
    expect(out?.output).toMatchObject({ error: { Error: 'States.HeartbeatTimeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45); // 5 s at 1/100
    // AWS answers a token whose task timed out with TaskTimedOut (the result handler treats both alike).
    await expect(e.sendTaskSuccess(token, {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('keeps a task alive while heartbeats arrive, then succeeds', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine({ StartAt: 'Step', States: { Step: tokenTask({ heartbeat: 5 }) } }, dispatch);
    const id = await run(e);
    const token = await dispatch.nextToken();
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 25)); // half the heartbeat window, 6 times: 3 windows in all
      await e.sendTaskHeartbeat(token);
    }
    await e.sendTaskSuccess(token, { ok: true });
    expect(await settled(e, id)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('times a task out with States.Timeout, which States.TaskFailed does not catch (as in AWS)', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine(
      {
        StartAt: 'Step',
        States: {
          Step: tokenTask({
            timeout: 5,
            catch: [
              { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Wrong' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
            ],
          }),
          Wrong: { Type: 'Fail', Error: 'Wrong' },
          TimedOut: { Type: 'Pass', End: true },
        },
      },
      dispatch,
    );
    const id = await run(e);
    const token = await dispatch.nextToken();
    expect(await settled(e, id)).toMatchObject({
      status: 'SUCCEEDED',
      output: { error: { Error: 'States.Timeout' } },
    });
    await new Promise((r) => setTimeout(r, 80));
    await expect(e.sendTaskSuccess(token, {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('retries a failed task with a fresh token and dispatches again', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine(
      {
        StartAt: 'Step',
        States: {
          Step: tokenTask({ retry: [{ ErrorEquals: ['unreachable'], MaxAttempts: 2, IntervalSeconds: 1 }] }),
        },
      },
      dispatch,
    );
    const id = await run(e);
    const first = await dispatch.nextToken();
    await e.sendTaskFailure(first, 'unreachable', 'try again');
    const second = await dispatch.nextToken();
    expect(second).not.toBe(first);
    await e.sendTaskSuccess(second, { ok: true });
    expect(await settled(e, id)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('wraps a plain lambda:invoke result like AWS ({ Payload })', async () => {
    const ops = new FunctionRecorder((p) => ({ echoed: p.op }));
    const e = startEngine(
      { StartAt: 'Record', States: { Record: opsTask('record') } },
      new FunctionRecorder(),
      ops,
    );
    const id = await run(e, { jobId: 'j-ops' });
    expect(await settled(e, id)).toMatchObject({ output: { record: { out: { echoed: 'record' } } } });
    expect(ops.calls[0]?.payload).toEqual({ op: 'record', jobId: 'j-ops' });
  });

  it('records the execution in the Store: status, input, current state, pending token', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine(
      { StartAt: 'First', States: { First: opsTask('a', 'Step'), Step: tokenTask() } },
      dispatch,
    );
    const id = await run(e, { jobId: 'j-rec' });
    const token = await dispatch.nextToken();
    await expect.poll(async () => (await loadExecution(t.store, id))?.checkpoint?.taskToken).toBe(token);
    const rec = await loadExecution(t.store, id);
    expect(rec).toMatchObject({
      status: 'RUNNING',
      input: { jobId: 'j-rec' },
      checkpoint: { state: 'Step' },
    });
    await e.sendTaskSuccess(token, {});
    await settled(e, id);
    expect(await loadExecution(t.store, id)).toMatchObject({
      status: 'SUCCEEDED',
      stoppedAt: expect.any(String),
    });
  });

  it('treats a repeated start with the same name and input as the same execution, and refuses other input', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine({ StartAt: 'Step', States: { Step: tokenTask() } }, dispatch);
    const a = await e.startExecution({ workflow: 'wf', name: 'same', input: { jobId: 'x' } });
    const b = await e.startExecution({ workflow: 'wf', name: 'same', input: { jobId: 'x' } });
    expect(b.executionId).toBe(a.executionId);
    await expect(
      e.startExecution({ workflow: 'wf', name: 'same', input: { jobId: 'y' } }),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    expect(dispatch.calls).toHaveLength(1);
  });

  it('stopExecution aborts a waiting execution, records ABORTED and invalidates its token', async () => {
    const dispatch = new FunctionRecorder();
    const e = startEngine({ StartAt: 'Step', States: { Step: tokenTask() } }, dispatch);
    const id = await run(e);
    const token = await dispatch.nextToken();
    await e.stopExecution(id, 'operator stopped it');
    expect(await e.describeExecution(id)).toMatchObject({ status: 'ABORTED', cause: 'operator stopped it' });
    expect(await loadExecution(t.store, id)).toMatchObject({ status: 'ABORTED' });
    await expect(e.sendTaskSuccess(token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect(e.runningExecutionIds()).not.toContain(id);
  });
});
