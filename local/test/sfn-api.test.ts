import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Envelope } from '@rackops/core/relay/envelope';
import type { Keyring } from '@rackops/core/relay/keyring';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import { createSfnOrchestrator } from '@rackops/lambdas/adapters/sfn-orchestrator';
import { createDispatchHandler } from '@rackops/lambdas/handlers/dispatch.handler';
import { createResultHandler } from '@rackops/lambdas/handlers/result.handler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../src/engine/local-engine';
import { type RunningSfnApi, startSfnApi } from '../src/engine/sfn-api/sfn-api-server';
import { resultFor, sqsBatch } from '../src/testing/agent-messages';
import { POWER_ONE_STEP, recordPowerJob } from '../src/testing/relay-rig';
import { tokenTask } from '../src/testing/asl';
import { FunctionRecorder } from './helpers/function-recorder';
import { type TestStore, startTestStore } from './helpers/test-store';

// 1 s of ASL time = 10 ms of real time.
const SCALE = 0.01;
const KEYS: Keyring = { activeKid: 'k1', keys: { k1: 'the-relay-signing-key-0123456789abcdef-0123' } };

const DEFINITIONS = {
  /** Waits on a task token (a device step); 600 ms between heartbeats at SCALE, room for a loaded machine. */
  waits: { StartAt: 'Step', States: { Step: tokenTask({ heartbeat: 60 }) } },
  /** Waits on a task token that nobody answers in time (50 ms at SCALE). */
  timesOut: { StartAt: 'Step', States: { Step: tokenTask({ heartbeat: 5 }) } },
  /** Ends at once. */
  ends: {
    StartAt: 'Done',
    States: { Done: { Type: 'Pass', Result: { done: true }, ResultPath: '$.r', End: true } },
  },
};

let t: TestStore;
let engine: LocalEngine | undefined;
let api: RunningSfnApi | undefined;
let client: SFNClient | undefined;
beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  client?.destroy();
  await api?.close();
  await engine?.stop();
  client = undefined;
  api = undefined;
  engine = undefined;
});
afterAll(async () => {
  await t.close();
});

const sdkClient = (endpoint: string) =>
  new SFNClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

async function start(definitions: Record<string, object> = DEFINITIONS, functions = {}) {
  engine = new LocalEngine({ store: t.store, definitions, functions, timeScale: SCALE });
  api = await startSfnApi(engine);
  client = sdkClient(api.endpoint);
  return { engine, api, client };
}

async function withDispatch() {
  const dispatch = new FunctionRecorder();
  const s = await start(DEFINITIONS, { dispatch: dispatch.fn });
  return { ...s, dispatch, arn: (wf: string) => s.engine.stateMachineArn(wf) };
}

/** fetch cannot set Host; a raw request can, as a browser after DNS rebinding would. */
function rawPost(port: number, host: string, target: string, body: object) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: { host, 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

let seq = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++seq}`;

async function settledStatus(c: SFNClient, executionArn: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await c.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING' || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Step Functions API over the local engine, with the real @aws-sdk/client-sfn', () => {
  it('starts and describes an execution that ends, in the shapes AWS returns', async () => {
    const { client: c, arn } = await withDispatch();
    const name = uniq('ends');
    const out = await c.send(
      new StartExecutionCommand({ stateMachineArn: arn('ends'), name, input: '{"jobId":"j-1"}' }),
    );
    expect(out.executionArn).toBe(`arn:aws:states:local:000000000000:execution:ends:${name}`);
    expect(out.startDate).toBeInstanceOf(Date);
    expect(Math.abs((out.startDate as Date).getTime() - Date.now())).toBeLessThan(10_000);
    const d = await settledStatus(c, out.executionArn as string);
    expect(d).toMatchObject({
      executionArn: out.executionArn,
      stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:ends',
      name,
      status: 'SUCCEEDED',
      input: '{"jobId":"j-1"}',
    });
    expect(JSON.parse(d.output as string)).toEqual({ jobId: 'j-1', r: { done: true } });
    expect(d.stopDate).toBeInstanceOf(Date);
  });

  it('answers a waiting task with heartbeat then success, and the execution completes with that output', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    const { executionArn } = await c.send(
      new StartExecutionCommand({ stateMachineArn: arn('waits'), name: uniq('w'), input: '{"jobId":"j-2"}' }),
    );
    const taskToken = await dispatch.nextToken();
    expect((await c.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    // Heartbeats keep it alive past HeartbeatSeconds (60 s at 1/100 = 600 ms): 1 s in all, one every 250 ms.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await c.send(new SendTaskHeartbeatCommand({ taskToken }));
    }
    await c.send(new SendTaskSuccessCommand({ taskToken, output: '{"powered":"On"}' }));
    const d = await settledStatus(c, executionArn as string);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output as string)).toMatchObject({ jobId: 'j-2', result: { powered: 'On' } });
    // The token is spent: the SDK raises its typed exception.
    await expect(c.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toBeInstanceOf(
      TaskDoesNotExist,
    );
  });

  it('fails a waiting task with SendTaskFailure: the execution fails with that error and cause', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    const { executionArn } = await c.send(
      new StartExecutionCommand({ stateMachineArn: arn('waits'), name: uniq('f'), input: '{"jobId":"j-3"}' }),
    );
    const taskToken = await dispatch.nextToken();
    await c.send(new SendTaskFailureCommand({ taskToken, error: 'Device.Unreachable', cause: 'no route' }));
    const d = await settledStatus(c, executionArn as string);
    expect(d).toMatchObject({ status: 'FAILED', error: 'Device.Unreachable', cause: 'no route' });
    expect(d.output).toBeUndefined();
  });

  it('raises the typed token exceptions: malformed, unknown, timed out', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    await expect(
      c.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      c.send(new SendTaskHeartbeatCommand({ taskToken: `lsfn1.${'A'.repeat(43)}` })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    const { executionArn } = await c.send(
      new StartExecutionCommand({
        stateMachineArn: arn('timesOut'),
        name: uniq('t'),
        input: '{"jobId":"j-4"}',
      }),
    );
    const taskToken = await dispatch.nextToken();
    expect((await settledStatus(c, executionArn as string)).error).toBe('States.HeartbeatTimeout');
    await expect(c.send(new SendTaskSuccessCommand({ taskToken, output: '{nope' }))).rejects.toBeInstanceOf(
      InvalidOutput,
    );
    const late = c.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    await expect(late).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(late).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('stops a waiting execution: ABORTED with the cause, its token gone', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    const { executionArn } = await c.send(
      new StartExecutionCommand({ stateMachineArn: arn('waits'), name: uniq('s'), input: '{"jobId":"j-5"}' }),
    );
    const taskToken = await dispatch.nextToken();
    const stopped = await c.send(new StopExecutionCommand({ executionArn, cause: 'operator cancelled' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await c.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      cause: 'operator cancelled',
    });
    await expect(c.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toBeInstanceOf(
      TaskDoesNotExist,
    );
  });

  it('refuses a duplicate name with other input (ExecutionAlreadyExists), and is idempotent for the same input', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    const name = uniq('dup');
    const first = await c.send(
      new StartExecutionCommand({ stateMachineArn: arn('waits'), name, input: '{"jobId":"j-6"}' }),
    );
    await dispatch.nextToken();
    const again = await c.send(
      new StartExecutionCommand({ stateMachineArn: arn('waits'), name, input: '{"jobId":"j-6"}' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: arn('waits'), name, input: '{"jobId":"other"}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('lists executions of one state machine, newest first, filtered by status and paged with nextToken', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    const ended: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { executionArn } = await c.send(
        new StartExecutionCommand({ stateMachineArn: arn('ends'), name: uniq('le'), input: '{}' }),
      );
      await settledStatus(c, executionArn as string);
      ended.push(executionArn as string);
    }
    const { executionArn: waiting } = await c.send(
      new StartExecutionCommand({
        stateMachineArn: arn('waits'),
        name: uniq('lw'),
        input: '{"jobId":"j-7"}',
      }),
    );
    await dispatch.nextToken();

    const all = await c.send(new ListExecutionsCommand({ stateMachineArn: arn('ends') }));
    const mine = (all.executions ?? []).map((e) => e.executionArn).filter((a) => ended.includes(a as string));
    expect(mine).toEqual([...ended].reverse());
    expect(all.executions?.every((e) => e.stateMachineArn === arn('ends'))).toBe(true);
    expect(all.executions?.[0]?.startDate).toBeInstanceOf(Date);

    const running = await c.send(
      new ListExecutionsCommand({ stateMachineArn: arn('waits'), statusFilter: 'RUNNING' }),
    );
    expect(running.executions?.map((e) => e.executionArn)).toContain(waiting);
    expect(running.executions?.every((e) => e.status === 'RUNNING')).toBe(true);

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await c.send(
        new ListExecutionsCommand({ stateMachineArn: arn('ends'), maxResults: 2, nextToken }),
      );
      expect(page.executions?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.executions ?? []).map((e) => e.executionArn as string));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual((all.executions ?? []).map((e) => e.executionArn));
    await expect(
      c.send(new ListExecutionsCommand({ stateMachineArn: arn('ends'), nextToken: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidToken);
  });

  it('raises the typed exceptions for unknown machines and executions, bad ARNs, names and input', async () => {
    const { client: c, arn } = await withDispatch();
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: arn('nope'), name: uniq('x'), input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      c.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ends',
          input: '{}',
        }),
      ),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: 'ends', input: '{}' })),
    ).rejects.toBeInstanceOf(InvalidArn);
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: arn('ends'), name: 'a:b', input: '{}' })),
    ).rejects.toBeInstanceOf(InvalidName);
    await expect(
      c.send(new StartExecutionCommand({ stateMachineArn: arn('ends'), name: uniq('x'), input: '{nope' })),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(
      c.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:local:000000000000:execution:ends:none',
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      c.send(
        new StopExecutionCommand({ executionArn: 'arn:aws:states:local:000000000000:execution:ends:none' }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(c.send(new DescribeExecutionCommand({ executionArn: arn('ends') }))).rejects.toBeInstanceOf(
      InvalidArn,
    );
    // A member the SDK lets through but the API refuses by its constraints: the typed ValidationException.
    await expect(
      c.send(new SendTaskFailureCommand({ taskToken: `lsfn1.${'A'.repeat(43)}`, error: 'e'.repeat(300) })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('speaks the protocol as AWS does to other clients: unknown operation, bad JSON, oversized body', async () => {
    const { api: a } = await start();
    const post = (target: string, body: string, type = 'application/x-amz-json-1.0') =>
      fetch(a.endpoint, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': type }, body });
    const unknown = await post('AWSStepFunctions.DeleteStateMachine', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      __type: 'com.amazon.coral.service#UnknownOperationException',
    });
    const bad = await post('AWSStepFunctions.DescribeExecution', '{not json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ __type: 'com.amazon.coral.service#SerializationException' });
    const missing = await post('AWSStepFunctions.DescribeExecution', '{}');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: 'com.amazonaws.states#ValidationException' });
    const big = await post(
      'AWSStepFunctions.StartExecution',
      JSON.stringify({ input: 'x'.repeat(3 * 1024 * 1024) }),
    );
    expect(big.status).toBe(413);
    const notJson = await post('AWSStepFunctions.DescribeExecution', '{}', 'text/plain');
    expect(notJson.status).toBe(400);
    const lookalike = await post('AWSStepFunctions.DescribeExecution', '{}', 'application/x-amz-json-1.0x');
    expect(await lookalike.json()).toMatchObject({
      __type: 'com.amazon.coral.service#SerializationException',
    });
    const get = await fetch(a.endpoint);
    expect(get.status).toBe(404);
  });

  it('refuses a request naming another host (a DNS-rebound web page) and offers browsers no CORS', async () => {
    const { api: a, client: c, arn } = await withDispatch();
    const rebound = await rawPost(a.port, 'evil.example', 'AWSStepFunctions.StartExecution', {
      stateMachineArn: arn('ends'),
      name: 'rebound',
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ __type: 'com.amazonaws.states#AccessDeniedException' });
    const listed = await c.send(new ListExecutionsCommand({ stateMachineArn: arn('ends') }));
    expect(listed.executions?.some((e) => e.name === 'rebound')).toBe(false);
    const preflight = await fetch(a.endpoint, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the server lifecycle', () => {
  it('close() frees the port at once, even with the SDK keeping its connection alive', async () => {
    const { api: a, client: c, arn } = await withDispatch();
    await c.send(new ListExecutionsCommand({ stateMachineArn: arn('ends') }));
    await a.close();
    api = undefined;
    const reached = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: a.port });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(reached).toBe('ECONNREFUSED');
  });
});

describe("the project's own adapters against the API", () => {
  it('createSfnOrchestrator starts, describes and answers a workflow through the SDK', async () => {
    const { client: c, dispatch, arn } = await withDispatch();
    const orch = createSfnOrchestrator({
      client: c,
      stateMachineArns: { 'power-operation': arn('waits') },
    });
    const name = uniq('orch');
    const { executionId } = await orch.startExecution({
      workflow: 'power-operation',
      name,
      input: { jobId: 'j-8' },
    });
    expect(executionId).toBe(`arn:aws:states:local:000000000000:execution:waits:${name}`);
    // Same name and input: idempotent, as the adapter promises.
    expect(
      (await orch.startExecution({ workflow: 'power-operation', name, input: { jobId: 'j-8' } })).executionId,
    ).toBe(executionId);
    const taskToken = await dispatch.nextToken();
    expect(await orch.describeExecution(executionId)).toEqual({ status: 'RUNNING' });
    await orch.sendTaskHeartbeat(taskToken);
    await orch.sendTaskSuccess(taskToken, { ok: true });
    await settledStatus(c, executionId);
    expect(await orch.describeExecution(executionId)).toMatchObject({
      status: 'SUCCEEDED',
      output: { jobId: 'j-8', result: { ok: true } },
    });
    expect(
      await orch.describeExecution('arn:aws:states:local:000000000000:execution:waits:never-started'),
    ).toBeUndefined();
    await expect(orch.sendTaskSuccess(taskToken, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('the result handler answers the task token through the SDK and the workflow completes', async () => {
    const sent: Envelope[] = [];
    const dispatch = createDispatchHandler({
      store: t.store,
      commands: { send: async (env) => void sent.push(env) },
      relayKey: async () => KEYS,
    });
    const { client: c } = await start(
      {
        'power-operation': POWER_ONE_STEP,
      },
      { dispatch },
    );
    const orchestrator = createSfnOrchestrator({
      client: c,
      stateMachineArns: { 'power-operation': (engine as LocalEngine).stateMachineArn('power-operation') },
    });
    const results = createResultHandler({ store: t.store, orchestrator, relayKey: async () => KEYS });
    const jobId = uniq('job-sfn');
    await recordPowerJob(t.store, jobId, 'SFN0001');
    const { executionId } = await orchestrator.startExecution({
      workflow: 'power-operation',
      name: jobId,
      input: { jobId, target: { type: 'idrac', id: 'SFN0001' } },
    });
    const deadline = Date.now() + 10_000;
    while (!sent.some((e) => e.jobId === jobId)) {
      if (Date.now() > deadline) throw new Error('no command dispatched');
      await new Promise((r) => setTimeout(r, 10));
    }
    const command = sent.find((e) => e.jobId === jobId) as Envelope;
    const out = await results(sqsBatch(signRelayMessage(resultFor(command), KEYS)));
    expect(out.batchItemFailures).toEqual([]);
    const d = await settledStatus(c, executionId);
    expect(d.status).toBe('SUCCEEDED');
    expect(await orchestrator.describeExecution(executionId)).toMatchObject({ status: 'SUCCEEDED' });
    // A duplicate delivery of the same result is consumed, not re-queued: its step has already ended.
    const dup = await results(sqsBatch(signRelayMessage(resultFor(command), KEYS)));
    expect(dup.batchItemFailures).toEqual([]);
  });
});
