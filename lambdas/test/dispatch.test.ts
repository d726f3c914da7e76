import { LocalEngine } from '@rackops/local/engine/local-engine';
import { messageGroupId, verifyEnvelope } from '@rackops/core/relay/envelope';
import { signRelayMessage } from '@rackops/core/relay/message-signature';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsCommandQueue } from '../src/adapters/sqs-queues';
import { createDispatchHandler } from '../src/handlers/dispatch.handler';
import { createResultHandler } from '../src/handlers/result.handler';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { RELAY_COMMAND_TYPE } from '@rackops/core/relay/relay-command-record';
import { aJob } from '../../core/test/job-factory';
import { type TestStore, startTestStore } from './helpers/dynalite-store';
import { type Queues, startQueues } from './helpers/runtime-rig';

const KEY = 'test-relay-key-0123456789abcdef';

let t: TestStore;
let q: Queues;
let dispatch: ReturnType<typeof createDispatchHandler>;
beforeAll(async () => {
  t = await startTestStore();
  q = await startQueues();
  dispatch = createDispatchHandler({
    store: t.store,
    commands: createSqsCommandQueue({ client: q.sqs, queueUrl: q.commandsUrl }),
    relayKey: async () => KEY,
    ttlSeconds: 600,
  });
  // dispatch sends commands only for jobs that exist
  for (const id of ['job-d1', 'job-d2', 'job-d3', 'job-d4', 'job-d5', 'job-d6', 'job-d7', 'job-d8', 'job-d9'])
    await t.store.createJob(aJob({ id }));
});
afterAll(async () => {
  await q?.close();
  await t?.close();
});

const payload = (over: Record<string, unknown> = {}) => ({
  jobId: 'job-d1',
  command: {
    kind: 'host.enter-maintenance',
    target: { type: 'vcenter', id: 'vc-1' },
    params: { hostId: 'ABC1234', hostMoref: 'host-12' },
  },
  taskToken: 'token-1',
  ...over,
});

/** One device step that powers a host on through the dispatch function, as the workflows do. */
const powerWorkflow = (target: Record<string, string>, step?: Record<string, string>) => ({
  StartAt: 'Power',
  States: {
    Power: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'arn:aws:lambda:local:000000000000:function:dispatch',
        Payload: {
          'jobId.$': '$.jobId',
          command: { kind: 'host.power', target, params: { action: 'On' } },
          ...(step ? { step } : {}),
          'taskToken.$': '$$.Task.Token',
        },
      },
      End: true,
    },
  },
});

describe('dispatch handler', () => {
  it('sends a signed envelope to the FIFO queue, grouped by device and deduplicated by envelope id', async () => {
    const { commandId } = await dispatch(payload());
    const [msg] = await q.receive(q.commandsUrl);
    const verified = verifyEnvelope(msg?.body, KEY, new Date());
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.envelope).toMatchObject({
      id: commandId,
      kind: 'host.enter-maintenance',
      target: { type: 'vcenter', id: 'vc-1' },
      taskToken: 'token-1',
      jobId: 'job-d1',
      // zod defaults applied before signing, so the agent sees complete params
      params: { hostId: 'ABC1234', timeoutSeconds: 1800, evacuatePoweredOffVms: false },
    });
    const ttl = Date.parse(verified.envelope.expiresAt) - Date.parse(verified.envelope.issuedAt);
    expect(ttl).toBe(600_000);
    expect(msg?.groupId).toBe('vcenter:vc-1');
    expect(msg?.dedupId).toBe(commandId);
  });

  it('records the command and a console line for the job', async () => {
    const { commandId } = await dispatch(payload({ jobId: 'job-d2' }));
    await q.receive(q.commandsUrl);
    expect((await t.store.getRecord(RELAY_COMMAND_TYPE, commandId))?.data).toMatchObject({
      jobId: 'job-d2',
      status: 'sent',
    });
    const log = await t.store.listLog('job-d2');
    expect(log.items.map((l) => l.message)).toEqual(['sent host.enter-maintenance to vcenter vc-1']);
    expect(log.items[0]?.hostId).toBe('ABC1234');
  });

  it("marks the workflow's step item running, with its host", async () => {
    await dispatch(
      payload({
        jobId: 'job-d4',
        step: { key: 'host:ABC1234:enter-maintenance', name: 'Enter maintenance mode', hostId: 'ABC1234' },
      }),
    );
    await q.receive(q.commandsUrl);
    const [step] = await t.store.listSteps('job-d4');
    expect(step).toMatchObject({
      key: 'host:ABC1234:enter-maintenance',
      status: 'running',
      hostId: 'ABC1234',
    });
    expect((await t.store.listLog('job-d4')).items[0]?.message).toBe(
      'Enter maintenance mode: sent host.enter-maintenance to vcenter vc-1',
    );
  });

  it('a stop point is not sent once the job has a stop reason (cancel now): HostStopRequested, nothing recorded', async () => {
    const step = { key: 'host:ABC1234:enter-maintenance', name: 'Enter maintenance mode', hostId: 'ABC1234' };
    // Each send in a FIFO group of its own: the received ones stay in flight (never deleted here).
    const send = (group: string, over: Record<string, unknown> = {}) =>
      dispatch(
        payload({
          jobId: 'job-d6',
          step,
          command: { ...payload().command, target: { type: 'idrac', id: group } },
          ...over,
        }),
      );
    // No stop reason yet: sent as any command. A graceful cancel lets hosts in flight finish: still sent.
    await send('STOP1', { stopPoint: true });
    expect(await q.receive(q.commandsUrl)).toHaveLength(1);
    await t.store.updateJob('job-d6', { cancelRequested: 'graceful' });
    await send('STOP2', { stopPoint: true });
    expect(await q.receive(q.commandsUrl)).toHaveLength(1);
    await t.store.updateJob('job-d6', { cancelRequested: 'immediate' });
    const before = (await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d6')).items.length;
    await expect(send('STOP3', { stopPoint: true })).rejects.toMatchObject({
      name: 'HostStopRequested',
      message: 'not sent: immediate cancel',
    });
    expect(await q.receive(q.commandsUrl)).toEqual([]);
    expect((await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d6')).items).toHaveLength(before);
    // The same command without the mark (an exit, a power-on putting the host back) is still sent.
    await send('STOP4');
    expect(await q.receive(q.commandsUrl)).toHaveLength(1);
  });

  it('a step carrying a verification that is not true is not sent: NotVerified, nothing recorded', async () => {
    const exit = (id: string, verified: unknown) =>
      dispatch(
        payload({
          jobId: 'job-d7',
          verified,
          command: {
            kind: 'host.exit-maintenance',
            target: { type: 'idrac', id },
            params: { hostId: id, hostMoref: 'host-12' },
          },
        }),
      );
    const before = (await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d7')).items.length;
    await expect(exit('VER1', false)).rejects.toMatchObject({ name: 'NotVerified' });
    // Not a boolean (a path that resolved to something else): refused as a bad payload.
    await expect(exit('VER2', 'yes')).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await q.receive(q.commandsUrl)).toEqual([]);
    expect((await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d7')).items).toHaveLength(before);
    await exit('VER3', true);
    expect(await q.receive(q.commandsUrl)).toHaveLength(1);
  });

  it("takes a step's firmware from the host's plan item (fromPlan); a host without one gets nothing sent", async () => {
    const pkg = {
      componentId: '159',
      name: 'BIOS',
      version: '2.0.0',
      url: 'https://repo.example.internal/BIOS_2.0.0.EXE',
      rebootRequired: true,
    };
    const expected = [{ componentId: '159', name: 'BIOS', version: '2.0.0', rebootRequired: true }];
    // One host per command: each FIFO group's message stays in flight once received (never deleted here).
    for (const hostId of ['PLAN001', 'PLAN002'])
      await t.store.putJobItem('job-d8', 'plan', hostId, {
        packages: [pkg],
        expected,
        immediate: [],
        immediateExpected: [],
      });
    const stage = (hostId: string, params: Record<string, unknown>) =>
      dispatch(
        payload({
          jobId: 'job-d8',
          command: {
            kind: 'firmware.stage',
            target: { type: 'idrac', id: hostId },
            params: { applyTime: 'OnReset' },
          },
          fromPlan: { hostId, params },
        }),
      );
    await stage('PLAN001', { packages: 'packages' });
    const [msg] = await q.receive(q.commandsUrl);
    expect(msg?.body).toMatchObject({
      params: { packages: [pkg], applyTime: 'OnReset' },
    });
    // The reboot's verification list, the same way.
    await dispatch(
      payload({
        jobId: 'job-d8',
        command: {
          kind: 'host.apply-and-reboot',
          target: { type: 'idrac', id: 'PLAN002' },
          params: { hostId: 'PLAN002' },
        },
        fromPlan: { hostId: 'PLAN002', params: { expected: 'expected' } },
      }),
    );
    const [reboot] = await q.receive(q.commandsUrl);
    expect(reboot?.body).toMatchObject({
      params: { expected: [{ componentId: '159', version: '2.0.0' }] },
    });
    // No plan for the host: an error, never a stage of nothing or a reboot without verification.
    const before = (await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d8')).items.length;
    await expect(stage('NOPLAN1', { packages: 'packages' })).rejects.toThrow(
      /no firmware plan for host NOPLAN1/,
    );
    // An unknown plan list is a bad payload.
    await expect(stage('PLAN002', { packages: 'everything' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(await q.receive(q.commandsUrl)).toEqual([]);
    expect((await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d8')).items).toHaveLength(before);
  });

  it('a command the store cannot record is not sent; its step and console line written beside it say so', async () => {
    // The real store with its record write failing (a throttled or unreachable table): the step and the log line
    // go out at the same time as the record and succeed.
    const failing = new Proxy(t.store, {
      get(target, prop) {
        if (prop === 'putRecord') return async () => Promise.reject(new Error('table unavailable'));
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const unrecorded = createDispatchHandler({
      store: failing,
      commands: createSqsCommandQueue({ client: q.sqs, queueUrl: q.commandsUrl }),
      relayKey: async () => KEY,
    });
    const step = { key: 'host:NOREC01:enter-maintenance', name: 'Enter maintenance mode', hostId: 'NOREC01' };
    await expect(unrecorded(payload({ jobId: 'job-d9', step }))).rejects.toThrow('table unavailable');
    expect(await q.receive(q.commandsUrl)).toEqual([]);
    expect((await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, 'job-d9')).items).toEqual([]);
    const [st] = await t.store.listSteps('job-d9');
    expect(st).toMatchObject({ key: step.key, status: 'failed', message: 'not sent: not recorded' });
    expect((await t.store.listLog('job-d9')).items.map((l) => [l.level, l.message])).toEqual([
      ['info', 'Enter maintenance mode: sent host.enter-maintenance to vcenter vc-1'],
      [
        'error',
        'Enter maintenance mode: host.enter-maintenance to vcenter vc-1 not sent: the command could not be recorded',
      ],
    ]);
  });

  it('refuses bad params with a ValidationError before anything is sent', async () => {
    const bad = payload({
      command: {
        kind: 'host.power',
        target: { type: 'idrac', id: 'ABC1234' },
        params: { action: 'Explode' },
      },
    });
    await expect(dispatch(bad)).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(dispatch({ jobId: 'x' })).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await q.receive(q.commandsUrl)).toEqual([]);
  });

  it('runs as the dispatch function of a workflow: the queued command carries the engine task token', async () => {
    const engine = new LocalEngine({
      store: t.store,
      definitions: { wf: powerWorkflow({ type: 'idrac', 'id.$': '$.host' }) },
      functions: { dispatch },
    });
    try {
      const { executionId } = await engine.startExecution({
        workflow: 'wf',
        name: 'job-d3',
        input: { jobId: 'job-d3', host: 'XYZ9876' },
      });
      const msgs: Awaited<ReturnType<Queues['receive']>> = [];
      await expect
        .poll(
          async () => {
            msgs.push(...(await q.receive(q.commandsUrl)));
            return msgs.length;
          },
          { timeout: 5000 },
        )
        .toBe(1);
      const env = msgs[0]?.body as { taskToken: string; target: { id: string } };
      expect(env.target.id).toBe('XYZ9876');
      await engine.sendTaskSuccess(env.taskToken, { powerState: 'On' });
      await engine.waitForExecution(executionId);
      expect(await engine.describeExecution(executionId)).toMatchObject({ status: 'SUCCEEDED' });
    } finally {
      await engine.stop();
    }
  });

  it('a device that answers before the send returns still finds its record and step (no lost result)', async () => {
    let engine: LocalEngine | undefined;
    const real = createSqsCommandQueue({ client: q.sqs, queueUrl: q.commandsUrl });
    // The fastest possible agent: the result is handled before dispatch's send() has returned.
    const instant = {
      send: async (env: Parameters<typeof real.send>[0]) => {
        await real.send(env);
        const results = createResultHandler({
          store: t.store,
          orchestrator: createLocalOrchestrator(engine!),
          relayKey: async () => KEY,
        });
        const result = signRelayMessage(
          {
            type: 'result',
            v: 1,
            commandId: env.id,
            kind: env.kind,
            jobId: env.jobId,
            taskToken: env.taskToken,
            at: new Date().toISOString(),
            ok: true,
            output: { powerState: 'On', changed: false },
            durationMs: 3,
            target: messageGroupId(env.target),
          },
          KEY,
        );
        await results({ Records: [{ messageId: 'm-1', body: JSON.stringify(result) }] });
      },
    };
    const fast = createDispatchHandler({ store: t.store, commands: instant, relayKey: async () => KEY });
    engine = new LocalEngine({
      store: t.store,
      definitions: {
        wf: powerWorkflow(
          { type: 'idrac', id: 'FAST001' },
          { key: 'host:FAST001:power', name: 'Power on', hostId: 'FAST001' },
        ),
      },
      functions: { dispatch: fast },
    });
    try {
      const { executionId } = await engine.startExecution({
        workflow: 'wf',
        name: 'job-d5',
        input: { jobId: 'job-d5' },
      });
      await engine.waitForExecution(executionId);
      expect(await engine.describeExecution(executionId)).toMatchObject({ status: 'SUCCEEDED' });
      const listed = await t.store.listRecordsByParent<{ status: string }>(RELAY_COMMAND_TYPE, 'job-d5');
      expect(listed.items.map((r) => r.data.status)).toEqual(['succeeded']);
      expect((await t.store.listSteps('job-d5')).map((st) => [st.key, st.status])).toEqual([
        ['host:FAST001:power', 'completed'],
      ]);
      await q.receive(q.commandsUrl);
    } finally {
      await engine.stop();
    }
  });
});
