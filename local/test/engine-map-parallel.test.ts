import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../src/engine/local-engine';
import { prepareDefinition } from '../src/engine/prepare-definition';
import { tokenTask } from '../src/testing/asl';
import { FunctionRecorder } from './helpers/function-recorder';
import { type TestStore, startTestStore } from './helpers/test-store';

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

function start(definition: object, dispatch: FunctionRecorder) {
  engine = new LocalEngine({
    store: t.store,
    definitions: { wf: definition },
    functions: { dispatch: dispatch.fn },
    timeScale: 0.01,
  });
  return engine;
}

describe('local engine: Map and Parallel with task tokens', () => {
  it('runs Map iterations concurrently, each waiting on its own token', async () => {
    const dispatch = new FunctionRecorder();
    const e = start(
      {
        StartAt: 'Hosts',
        States: {
          Hosts: {
            Type: 'Map',
            ItemsPath: '$.hosts',
            MaxConcurrency: 3,
            ItemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
            ItemProcessor: { StartAt: 'PerHost', States: { PerHost: tokenTask({ heartbeat: 60 }) } },
            ResultPath: '$.results',
            End: true,
          },
        },
      },
      dispatch,
    );
    const { executionId } = await e.startExecution({
      workflow: 'wf',
      name: 'm1',
      input: { jobId: 'j', hosts: ['A', 'B', 'C'] },
    });
    const tokens = [await dispatch.nextToken(), await dispatch.nextToken(), await dispatch.nextToken()];
    expect(new Set(tokens).size).toBe(3);
    // Answer out of order: each token resolves its own iteration.
    await e.sendTaskSuccess(tokens[2]!, { n: 2 });
    await e.sendTaskSuccess(tokens[0]!, { n: 0 });
    await e.sendTaskSuccess(tokens[1]!, { n: 1 });
    await e.waitForExecution(executionId);
    const out = (await e.describeExecution(executionId))?.output as { results: { result: { n: number } }[] };
    expect(out.results.map((r) => r.result.n)).toEqual([0, 1, 2]);
    // The Map state and one state per iteration, as AWS counts (and bills) transitions.
    expect((await e.describeExecution(executionId))?.transitions).toBe(4);
  });

  it('a heartbeat timeout inside one Map iteration fails the Map, which a Catch on the Map sees', async () => {
    const dispatch = new FunctionRecorder();
    const e = start(
      {
        StartAt: 'Hosts',
        States: {
          Hosts: {
            Type: 'Map',
            ItemsPath: '$.hosts',
            ItemSelector: { 'jobId.$': '$.jobId', 'host.$': '$$.Map.Item.Value' },
            ItemProcessor: { StartAt: 'PerHost', States: { PerHost: tokenTask({ heartbeat: 5 }) } },
            Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'Cleanup' }],
            End: true,
          },
          Cleanup: { Type: 'Pass', End: true },
        },
      },
      dispatch,
    );
    const { executionId } = await e.startExecution({
      workflow: 'wf',
      name: 'm2',
      input: { jobId: 'j', hosts: ['A', 'B'] },
    });
    const a = await dispatch.nextToken();
    await dispatch.nextToken(); // B never answers
    await e.sendTaskSuccess(a, {});
    await e.waitForExecution(executionId);
    expect(await e.describeExecution(executionId)).toMatchObject({
      status: 'SUCCEEDED',
      output: { error: { Error: 'States.HeartbeatTimeout' } },
    });
    expect(e.tokens.size()).toBe(0);
  });

  it('runs Parallel branches, each with its own token', async () => {
    const dispatch = new FunctionRecorder();
    const left = tokenTask({ kind: 'host.state' });
    const right = tokenTask({ kind: 'idrac.lc-status' });
    const e = start(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Left', States: { Left: left } },
              { StartAt: 'Right', States: { Right: right } },
            ],
            End: true,
          },
        },
      },
      dispatch,
    );
    const { executionId } = await e.startExecution({ workflow: 'wf', name: 'p1', input: { jobId: 'j' } });
    const calls = [await dispatch.next(), await dispatch.next()];
    for (const c of calls) {
      await e.sendTaskSuccess(c.payload.taskToken as string, {
        kind: (c.payload.command as { kind: string }).kind,
      });
    }
    await e.waitForExecution(executionId);
    const out = (await e.describeExecution(executionId))?.output as { result: { kind: string } }[];
    expect(out.map((b) => b.result.kind)).toEqual(['host.state', 'idrac.lc-status']);
  });
});

describe('prepareDefinition', () => {
  it('scales timeouts, removes HeartbeatSeconds for the engine to enforce, and scales Wait states', () => {
    const p = prepareDefinition(
      {
        StartAt: 'W',
        TimeoutSeconds: 3600,
        States: {
          W: { Type: 'Wait', Seconds: 60, Next: 'T' },
          T: tokenTask({ heartbeat: 120, timeout: 600 }),
        },
      },
      1 / 60,
    );
    expect(p.waitOverrides).toEqual({ W: 1000 });
    expect(p.tasks.get('T')).toMatchObject({ heartbeatMs: 2000, timeoutMs: 10000, topLevel: true });
    const t = (p.runnable.States as Record<string, Record<string, unknown>>).T!;
    expect(t.HeartbeatSeconds).toBeUndefined();
    expect(t.TimeoutSeconds).toBe(10);
    expect(p.runnable.TimeoutSeconds).toBe(60);
  });

  it('gives Tasks without TimeoutSeconds no timeout (the library would impose 60 s)', () => {
    const p = prepareDefinition({ StartAt: 'T', States: { T: tokenTask() } });
    expect((p.runnable.States as Record<string, Record<string, unknown>>).T!.TimeoutSeconds).toBe(2_147_483);
  });

  it('refuses state names used twice (overrides are keyed by state name)', () => {
    expect(() =>
      prepareDefinition({
        StartAt: 'M',
        States: {
          M: { Type: 'Map', ItemProcessor: { StartAt: 'T', States: { T: tokenTask() } }, Next: 'T' },
          T: tokenTask(),
        },
      }),
    ).toThrow(/used twice/);
  });
});
