import { recordIngestOutcome } from '@rackops/core/inventory/ingest-report';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_COMMAND_TYPE } from '@rackops/core/relay/relay-command-record';
import type { ProgressMessage } from '@rackops/core/usecases/relay-message';
import { createResultHandler } from '../src/handlers/result.handler';
import { type TestStore, startTestStore } from './helpers/dynalite-store';
import { RELAY_KEY, asAgentSent } from './helpers/signed-results';

// The workflow side: one device step that waits for its token (at 1/100 time scale: 1 s = 10 ms).
const definition = (heartbeatSeconds: number) => ({
  StartAt: 'Step',
  States: {
    Step: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'arn:aws:lambda:local:000000000000:function:dispatch',
        Payload: { 'jobId.$': '$.jobId', 'taskToken.$': '$$.Task.Token' },
      },
      HeartbeatSeconds: heartbeatSeconds,
      ResultPath: '$.result',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
});

let t: TestStore;
let engine: LocalEngine;
const tokens: string[] = [];
const pages: { page: Record<string, unknown>; msg: ProgressMessage }[] = [];
/** Jobs whose live card the handler told about news. */
const cardsTold: string[] = [];
let handle: ReturnType<typeof createResultHandler>;

beforeAll(async () => {
  t = await startTestStore();
});
afterEach(async () => {
  await engine?.stop();
});
afterAll(async () => {
  await t.close();
});

let seq = 0;
/** Start a fresh engine + execution; returns the execution id, job id and the token its step waits on. */
async function waitingStep(heartbeatSeconds = 300) {
  tokens.length = 0;
  engine = new LocalEngine({
    store: t.store,
    definitions: { wf: definition(heartbeatSeconds) },
    functions: {
      dispatch: async (p) => {
        tokens.push((p as { taskToken: string }).taskToken);
        return {};
      },
    },
    timeScale: 0.01,
  });
  handle = createResultHandler({
    store: t.store,
    orchestrator: createLocalOrchestrator(engine),
    relayKey: async () => RELAY_KEY,
    onInventoryPage: async (page, msg) => {
      pages.push({ page, msg });
    },
    progress: { changed: async (jobId) => void cardsTold.push(jobId) },
  });
  const jobId = `job-res-${++seq}`;
  const { executionId } = await engine.startExecution({ workflow: 'wf', name: jobId, input: { jobId } });
  await expect.poll(() => tokens.length).toBe(1);
  return { executionId, jobId, token: tokens[0] as string };
}

const at = () => new Date().toISOString();
/** An SQS batch of what the agent sent: each message signed, about a command dispatch recorded. */
const sqs = async (...msgs: (RelayMessage | string)[]) => ({
  Records: await Promise.all(
    msgs.map(async (m, i) => ({
      messageId: `m-${i}`,
      body: typeof m === 'string' ? m : JSON.stringify(await asAgentSent(t.store, m)),
    })),
  ),
});

describe('result handler', () => {
  it('records a successful result in the Store, then completes the step with its output', async () => {
    const { executionId, jobId, token } = await waitingStep();
    await t.store.putRecord({
      type: RELAY_COMMAND_TYPE,
      id: 'c-1',
      parent: jobId,
      data: { commandId: 'c-1', jobId, status: 'sent' },
    });
    const out = await handle(
      await sqs({
        type: 'result',
        v: 1,
        commandId: 'c-1',
        kind: 'host.state',
        jobId,
        taskToken: token,
        at: at(),
        ok: true,
        output: { power: 'On' },
        durationMs: 1200,
      }),
    );
    expect(out.batchItemFailures).toEqual([]);
    await engine.waitForExecution(executionId);
    expect(await engine.describeExecution(executionId)).toMatchObject({
      output: { result: { power: 'On' } },
    });
    expect((await t.store.getRecord(RELAY_COMMAND_TYPE, 'c-1'))?.data).toMatchObject({
      status: 'succeeded',
      durationMs: 1200,
    });
    expect((await t.store.listLog(jobId)).items.map((l) => l.message)).toEqual(['host.state done (1200 ms)']);
  });

  it("names the command's host on its console lines (vCenter commands for a host's VMs too)", async () => {
    const { executionId, jobId, token } = await waitingStep();
    const step = { key: 'host/LABA002/vms-off', name: 'Power off VM', hostId: 'LABA002' };
    await t.store.putRecord({
      type: RELAY_COMMAND_TYPE,
      id: 'c-host',
      parent: jobId,
      data: { commandId: 'c-host', jobId, status: 'sent', step },
    });
    const base = { v: 1 as const, commandId: 'c-host', kind: 'vm.power' as const, jobId, taskToken: token };
    await handle(await sqs({ ...base, type: 'progress', at: at(), message: 'guest shutdown of vm-1002' }));
    await handle(await sqs({ ...base, type: 'result', at: at(), ok: true, durationMs: 5 }));
    await engine.waitForExecution(executionId);
    expect((await t.store.listLog(jobId)).items.map((l) => l.message)).toEqual([
      'LABA002 · vm.power: guest shutdown of vm-1002',
      'LABA002 · vm.power done (5 ms)',
    ]);
  });

  it("holds a streamed command's result until its last page is recorded (the result may overtake it)", async () => {
    const { executionId, jobId, token } = await waitingStep();
    // Recorded the way ingestion records a page.
    const note = (seq: number) =>
      recordIngestOutcome(t.store, jobId, {
        runId: 'c-p',
        seq,
        last: seq === 1,
        groups: 1,
        items: 1,
        written: 1,
        unchanged: 0,
        gone: 0,
        incomplete: 0,
        held: [],
        warnings: [],
      });
    await note(0);
    const handled = handle(
      await sqs({
        type: 'result',
        v: 1,
        commandId: 'c-p',
        kind: 'inventory.vcenter',
        jobId,
        taskToken: token,
        at: at(),
        ok: true,
        output: { pages: 2, counts: { hosts: 2 }, warnings: [] },
        durationMs: 50,
      }),
    );
    await new Promise((r) => setTimeout(r, 400));
    expect((await engine.describeExecution(executionId))?.status).toBe('RUNNING');
    await note(1);
    expect((await handled).batchItemFailures).toEqual([]);
    // The answer resumes the execution in the engine's own time: under load it is not done the moment we ask.
    await expect
      .poll(async () => (await engine.describeExecution(executionId))?.status, { timeout: 15_000 })
      .toBe('SUCCEEDED');
  });

  it('a progress handled after its result leaves the record finished (the results queue is unordered)', async () => {
    const { jobId, token } = await waitingStep();
    const base = { v: 1, commandId: 'c-late', kind: 'firmware.stage', jobId, taskToken: token } as const;
    await handle(
      await sqs({
        ...base,
        type: 'result',
        at: at(),
        ok: true,
        output: { jobs: [], alreadyDone: [] },
        durationMs: 9,
      }),
    );
    await handle(await sqs({ ...base, type: 'progress', at: at(), message: 'staging BIOS' }));
    expect((await t.store.getRecord(RELAY_COMMAND_TYPE, 'c-late'))?.data).toMatchObject({
      status: 'succeeded',
      jobId,
    });
    expect((await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, jobId)).items).toHaveLength(1);
  });

  it('completes the step item the dispatch recorded for the command', async () => {
    const { jobId, token } = await waitingStep();
    const step = {
      key: 'host:ABC1234:apply-and-reboot',
      name: 'Reboot to apply staged firmware',
      hostId: 'ABC1234',
    };
    await t.store.putRecord({
      type: RELAY_COMMAND_TYPE,
      id: 'c-s',
      parent: jobId,
      data: { commandId: 'c-s', jobId, status: 'sent', step },
    });
    await handle(
      await sqs({
        type: 'result',
        v: 1,
        commandId: 'c-s',
        kind: 'host.apply-and-reboot',
        jobId,
        taskToken: token,
        at: at(),
        ok: false,
        error: { code: 'reboot_timeout', message: 'never came back', retryable: false },
        durationMs: 9,
      }),
    );
    const [stored] = await t.store.listSteps(jobId);
    expect(stored).toMatchObject({
      key: step.key,
      status: 'failed',
      message: 'reboot_timeout: never came back',
      hostId: 'ABC1234',
    });
  });

  it('fails the step with the agent error code and message', async () => {
    const { executionId, jobId, token } = await waitingStep();
    await handle(
      await sqs({
        type: 'result',
        v: 1,
        commandId: 'c-2',
        kind: 'host.apply-and-reboot',
        jobId,
        taskToken: token,
        at: at(),
        ok: false,
        error: { code: 'reboot_timeout', message: 'host did not come back', retryable: false },
        durationMs: 5,
      }),
    );
    await engine.waitForExecution(executionId);
    expect(await engine.describeExecution(executionId)).toMatchObject({
      output: { error: { Error: 'reboot_timeout', Cause: 'host did not come back' } },
    });
    const log = (await t.store.listLog(jobId)).items;
    expect(log[0]).toMatchObject({
      level: 'error',
      message: 'host.apply-and-reboot failed: reboot_timeout: host did not come back',
    });
  });

  it('turns progress into heartbeats that keep a long step alive, and logs only news', async () => {
    const { executionId, jobId, token } = await waitingStep(100); // 1 s without news fails the step
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await handle(
        await sqs({
          type: 'progress',
          v: 1,
          commandId: 'c-3',
          kind: 'firmware.stage',
          jobId,
          taskToken: token,
          at: at(),
          message: i < 3 ? 'downloading' : 'staged',
          percent: i * 20,
        }),
      );
    }
    expect((await engine.describeExecution(executionId))?.status).toBe('RUNNING'); // 2 s > the 1 s heartbeat window
    await handle(
      await sqs({
        type: 'result',
        v: 1,
        commandId: 'c-3',
        kind: 'firmware.stage',
        jobId,
        taskToken: token,
        at: at(),
        ok: true,
        durationMs: 1,
      }),
    );
    await engine.waitForExecution(executionId);
    expect(await engine.describeExecution(executionId)).toMatchObject({
      status: 'SUCCEEDED',
      output: { result: {} },
    });
    const lines = (await t.store.listLog(jobId)).items.map((l) => l.message);
    expect(lines).toEqual([
      'firmware.stage: downloading (0%)',
      'firmware.stage: staged (60%)',
      'firmware.stage done (1 ms)',
    ]);
    // The job's live card is told of news only (it throttles itself): twice, not five times.
    expect(cardsTold.filter((j) => j === jobId)).toEqual([jobId, jobId]);
  });

  it('hands inventory pages to the injected ingestion', async () => {
    const { jobId, token } = await waitingStep();
    pages.length = 0;
    await handle(
      await sqs({
        type: 'progress',
        v: 1,
        commandId: 'c-4',
        kind: 'inventory.vcenter',
        jobId,
        taskToken: token,
        at: at(),
        message: 'page 1',
        page: { hosts: [1, 2] },
      }),
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]?.page).toEqual({ hosts: [1, 2] });
    expect(pages[0]?.msg.commandId).toBe('c-4');
  });

  it('fails the step with a clear error when the agent rejected the command', async () => {
    const { executionId, jobId, token } = await waitingStep();
    await handle(
      await sqs({
        type: 'rejected',
        v: 1,
        commandId: 'c-5',
        jobId,
        taskToken: token,
        at: at(),
        reason: 'bad_signature',
        detail: 'the signature does not match',
      }),
    );
    await engine.waitForExecution(executionId);
    const out = (await engine.describeExecution(executionId))?.output as {
      error: { Error: string; Cause: string };
    };
    expect(out.error.Error).toBe('rejected_bad_signature');
    expect(out.error.Cause).toMatch(/relay agent rejected command c-5: bad_signature/);
    expect((await t.store.getRecord(RELAY_COMMAND_TYPE, 'c-5'))?.data).toMatchObject({ status: 'rejected' });
  });

  it('stores agent heartbeats', async () => {
    await waitingStep();
    await handle(
      await sqs({
        type: 'agent-heartbeat',
        v: 1,
        agentId: 'agent-1',
        version: '0.1.0',
        at: at(),
        uptimeSeconds: 12,
        inFlight: [],
      }),
    );
    expect((await t.store.getRecord('agent-heartbeat', 'agent-1'))?.data).toMatchObject({
      version: '0.1.0',
      uptimeSeconds: 12,
    });
  });

  it('logs a result for a step that no longer waits and does not retry it', async () => {
    const { executionId, jobId, token } = await waitingStep();
    await engine.stopExecution(executionId, 'test');
    const out = await handle(
      await sqs({
        type: 'result',
        v: 1,
        commandId: 'c-6',
        kind: 'host.state',
        jobId,
        taskToken: token,
        at: at(),
        ok: true,
        durationMs: 1,
      }),
    );
    expect(out.batchItemFailures).toEqual([]);
    const lines = (await t.store.listLog(jobId)).items.map((l) => l.message);
    expect(lines.at(-1)).toMatch(/arrived after its step had ended \(TaskDoesNotExist\)/);
  });

  it("a progress whose step already ended (it raced its own result) stays off the console's default level", async () => {
    const { executionId, jobId, token } = await waitingStep();
    await engine.stopExecution(executionId, 'test');
    const logged = (level: string) => {
      const lines: string[] = [];
      const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
      const h = createResultHandler({
        store: t.store,
        orchestrator: createLocalOrchestrator(engine),
        relayKey: async () => RELAY_KEY,
        logger,
      });
      return { lines, h };
    };
    const progress = {
      type: 'progress',
      v: 1,
      commandId: 'c-race',
      kind: 'firmware.stage',
      jobId,
      taskToken: token,
    } as const;
    // `npm start` prints warn and above.
    const console = logged('warn');
    expect(
      (await console.h(await sqs({ ...progress, at: at(), message: 'staging BIOS' }))).batchItemFailures,
    ).toEqual([]);
    expect(console.lines).toEqual([]);
    // Still there for whoever looks closer (LOG_LEVEL=debug).
    const debug = logged('debug');
    await debug.h(await sqs({ ...progress, at: at(), message: 'staging NIC' }));
    expect(debug.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 20,
        type: 'progress',
        commandId: 'c-race',
        reason: 'TaskDoesNotExist',
      }),
    ]);
  });

  it('drops malformed messages and reports transient failures per item', async () => {
    const { jobId, token } = await waitingStep();
    await engine.stop(); // the orchestrator is unavailable now: a transient failure
    const out = await handle(
      await sqs(
        'not json',
        {
          type: 'result',
          v: 1,
          commandId: 'c-7',
          kind: 'host.state',
          jobId,
          taskToken: token,
          at: at(),
          ok: true,
          durationMs: 1,
        },
        '{"type":"result","v":2}',
      ),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  });
});
