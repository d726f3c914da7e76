import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STATE_DATA_LIMIT_BYTES } from '../src/engine/data-limit';
import { LocalEngine } from '../src/engine/local-engine';
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

const calls: unknown[] = [];
/** A function that answers `{ blob }` of the asked size (bytes of 'é': two UTF-8 bytes per character). */
async function grow(input: unknown): Promise<unknown> {
  calls.push(input);
  const chars = (input as { chars?: number }).chars ?? 0;
  return { blob: 'é'.repeat(chars) };
}

function invoke(payload: object, next: string, resultPath = '$.r') {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: 'grow', Payload: payload },
    ResultSelector: { 'blob.$': '$.Payload.blob' },
    ResultPath: resultPath,
    // AWS: States.ALL does not catch States.DataLimitExceeded; the execution fails.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
    Next: next,
  };
}

let runs = 0;
async function run(definition: object, input: object) {
  runs += 1;
  engine = new LocalEngine({ store: t.store, definitions: { wf: definition }, functions: { grow } });
  const { executionId } = await engine.startExecution({ workflow: 'wf', name: `x${runs}`, input });
  await engine.waitForExecution(executionId);
  return engine.describeExecution(executionId);
}

describe('local engine: the 256 KiB state data limit of AWS Step Functions', () => {
  it('a task result over the limit fails the execution with States.DataLimitExceeded, past States.ALL', async () => {
    calls.length = 0;
    // 131,100 'é' = 262,200 UTF-8 bytes (but only 131,100 UTF-16 characters): the limit counts bytes.
    const out = await run(
      {
        StartAt: 'Big',
        States: {
          Big: invoke({ 'chars.$': '$.chars' }, 'After'),
          After: invoke({ chars: 1 }, 'Done'),
          Caught: { Type: 'Pass', End: true },
          Done: { Type: 'Succeed' },
        },
      },
      { chars: 131_100 },
    );
    expect(out?.status).toBe('FAILED');
    expect(out?.error).toBe('States.DataLimitExceeded');
    expect(out?.cause).toContain("'Big'");
    expect(calls).toHaveLength(1); // the next state never ran
  });

  it('a task input over the limit fails before the function is called; just under the limit runs', async () => {
    calls.length = 0;
    const definition = {
      StartAt: 'Send',
      States: {
        Send: invoke({ 'a.$': '$.blob', 'b.$': '$.blob', 'c.$': '$.blob' }, 'Done', '$.r'),
        Caught: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    // The state input is a third of the limit; the task's parameters copy it three times.
    const third = Math.ceil(STATE_DATA_LIMIT_BYTES / 3);
    const over = await run(definition, { blob: 'x'.repeat(third) });
    expect(over?.error).toBe('States.DataLimitExceeded');
    expect(calls).toHaveLength(0);
    await engine?.stop();
    engine = undefined;
    const under = await run(definition, { blob: 'x'.repeat(third - 100) });
    expect(under?.status).toBe('SUCCEEDED');
    expect(calls).toHaveLength(1);
  });

  it('a Pass state whose input is over the limit fails the execution', async () => {
    const out = await run(
      {
        StartAt: 'Grow',
        States: {
          Grow: { Type: 'Pass', Parameters: { 'a.$': '$.blob', 'b.$': '$.blob' }, Next: 'Hold' },
          Hold: { Type: 'Wait', Seconds: 1, Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      { blob: 'x'.repeat(140_000) },
    );
    expect(out?.status).toBe('FAILED');
    expect(out?.error).toBe('States.DataLimitExceeded');
    expect(out?.cause).toContain("'Hold'");
  });
});
