import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../../core/test/job-factory';
import { createSqsCommandQueue } from '../../src/adapters/sqs-queues';
import { createClaimHandler } from '../../src/handlers/claim.handler';
import { createDispatchHandler } from '../../src/handlers/dispatch.handler';
import { createJobOpsHandler } from '../../src/handlers/job-ops.handler';
import { RELAY_COMMAND_TYPE } from '@rackops/core/relay/relay-command-record';
import { startTestStore, type TestStore } from '../helpers/dynalite-store';
import { type Queues, startQueues } from '../helpers/runtime-rig';

let t: TestStore;
let q: Queues;
let dispatch: ReturnType<typeof createDispatchHandler>;
let jobOps: ReturnType<typeof createJobOpsHandler>;
let claim: ReturnType<typeof createClaimHandler>;
const JOB = 'job-sec-1';

beforeAll(async () => {
  t = await startTestStore();
  q = await startQueues();
  dispatch = createDispatchHandler({
    store: t.store,
    commands: createSqsCommandQueue({ client: q.sqs, queueUrl: q.commandsUrl }),
    relayKey: async () => 'test-relay-key-0123456789abcdef',
  });
  jobOps = createJobOpsHandler({ store: t.store, notifier: { notify: async () => undefined } });
  claim = createClaimHandler({
    store: t.store,
    orchestrator: {
      start: async () => {
        throw new Error('no workflow should start');
      },
    } as never,
  });
  await t.store.createJob(aJob({ id: JOB }));
});
afterAll(async () => {
  await q?.close();
  await t?.close();
});

const payload = (over: Record<string, unknown> = {}) => ({
  jobId: JOB,
  command: { kind: 'host.power', target: { type: 'idrac', id: 'ABC1234' }, params: { action: 'On' } },
  taskToken: 'token-1',
  ...over,
});

/** Nothing reached the queue and no command record exists for the job. */
async function nothingHappened(jobId: string) {
  expect(await q.receive(q.commandsUrl)).toEqual([]);
  expect((await t.store.listRecordsByParent(RELAY_COMMAND_TYPE, jobId)).items).toEqual([]);
  expect((await t.store.listLog(jobId)).items).toEqual([]);
}

describe('security: lambda inputs', () => {
  it('dispatch refuses a 5 MB jobId before writing or sending anything', async () => {
    const jobId = 'J'.repeat(5 * 1024 * 1024);
    // Refused at the door (the input limit), not later by the Store's item size or the queue's message size.
    await expect(dispatch(payload({ jobId }))).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/^dispatch payload is \d+ bytes; the limit is 65536$/),
    });
    await nothingHappened(JOB);
  });

  it('dispatch refuses a jobId over 128 characters with a ValidationError naming jobId', async () => {
    const err = await dispatch(payload({ jobId: 'J'.repeat(129) })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationError' });
    expect((err as Error).message).toContain('jobId');
    await nothingHappened('J'.repeat(129));
  });

  it('dispatch refuses a jobId with path or key characters', async () => {
    for (const jobId of ['../job', 'job#STEP', 'job\n2', 'job id']) {
      await expect(dispatch(payload({ jobId }))).rejects.toMatchObject({ name: 'ValidationError' });
    }
    expect(await q.receive(q.commandsUrl)).toEqual([]);
  });

  it('dispatch refuses a job that does not exist: no record, no step, no console line, no command', async () => {
    const step = { key: 'host:ABC1234:power', name: 'Power on', hostId: 'ABC1234' };
    await expect(dispatch(payload({ jobId: 'job-that-never-was', step }))).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await nothingHappened('job-that-never-was');
    expect(await t.store.listSteps('job-that-never-was')).toEqual([]);
  });

  it('a __proto__ field (as JSON.parse makes it) is a ValidationError naming the field, not a DynamoDB error', async () => {
    const event = JSON.parse(
      `{"jobId":"${JOB}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234"},` +
        `"params":{"action":"On","__proto__":{"polluted":true}}},"taskToken":"t"}`,
    ) as unknown;
    const err = await dispatch(event).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationError' });
    expect((err as Error).message).toContain('command.params.__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await nothingHappened(JOB);
  });

  it('a constructor.prototype field in a step is refused too', async () => {
    const event = JSON.parse(
      `{"jobId":"${JOB}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234"},"params":{"action":"On"}},` +
        `"taskToken":"t","step":{"key":"k","name":"n","constructor":{"prototype":{"x":1}}}}`,
    ) as unknown;
    await expect(dispatch(event)).rejects.toMatchObject({ name: 'ValidationError' });
    await nothingHappened(JOB);
  });

  it('job-ops: a bad state is a ValidationError naming the field, not a raw ZodError', async () => {
    const err = await jobOps({ op: 'host-begin', jobId: JOB, state: { host: { hostId: 42 } } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'ValidationError', code: 'validation' });
    expect((err as Error).message).toContain('host.hostId');
  });

  it('job-ops: a __proto__ key in the state is refused before any op runs', async () => {
    const event = JSON.parse(`{"op":"host-begin","jobId":"${JOB}","state":{"__proto__":{"x":1}}}`) as unknown;
    const err = await jobOps(event).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationError' });
    expect((err as Error).message).toContain('state.__proto__');
  });

  it('job-ops and claim refuse an unbounded jobId', async () => {
    await expect(jobOps({ op: 'log', jobId: 'x'.repeat(10_000), message: 'm' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(claim({ kind: 'job', jobId: 'x'.repeat(10_000) })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(claim({ kind: 'window', windowId: '../../w' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
