import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { createSqsCommandQueue } from '@rackops/lambdas/adapters/sqs-queues';
import { createClaimHandler } from '@rackops/lambdas/handlers/claim.handler';
import { createDispatchHandler } from '@rackops/lambdas/handlers/dispatch.handler';
import { createExecutionStatusHandler } from '@rackops/lambdas/handlers/execution-status.handler';
import { createJobOpsHandler } from '@rackops/lambdas/handlers/job-ops.handler';
import { RELAY_COMMAND_TYPE } from '@rackops/core/relay/relay-command-record';
import { startDynalite } from '@rackops/local/dynalite';
import { startSqsEmulator } from '@rackops/local/sqs-emulator';
import type { AttackCatalogue, AttackOutcome } from './attack';

/**
 * Item 7 of the hardening issue: what a workflow payload, a schedule or an EventBridge event can carry into the
 * Lambdas. The real handlers run on dynalite and the SQS emulator. An attack is refused when the handler throws
 * one of RackOps' own errors (ValidationError, NotFoundError, PayloadTooLargeError — never a raw ZodError or a
 * DynamoDB marshalling error) and nothing happened: no command on the queue, no record, step or console line
 * for the job it named.
 */

const OWN_ERRORS = new Set(['ValidationError', 'NotFoundError', 'PayloadTooLargeError']);

const BAD_IDS: [string, unknown][] = [
  ['129 characters', 'J'.repeat(129)],
  ['1 KB', 'J'.repeat(1024)],
  ['64 KB', 'J'.repeat(64 * 1024)],
  ['5 MB', 'J'.repeat(5 * 1024 * 1024)],
  ['empty', ''],
  ['path traversal', '../../job'],
  ['key separator', 'job#STEP#x'],
  ['newline', 'job\nFAKE LOG LINE'],
  ['space', 'job 1'],
  ['markup', '<script>alert(1)</script>'],
  ['null byte', 'job\0'],
  ['unicode dots', '\u2025job'],
  ['leading dash', '-rf'],
  ['a number', 42],
  ['null', null],
  ['an object', { $ne: '' }],
  ['an array', ['job']],
];

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

export const run: AttackCatalogue = async () => {
  const dynalite = await startDynalite();
  const emu = await startSqsEmulator();
  const sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const outcomes: AttackOutcome[] = [];
  try {
    const store = createDynamoStore({ client: dynalite.client(), tableName: 'rackops-bench-lambda-input' });
    await store.migrate();
    const { QueueUrl: commandsUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'commands.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const dispatch = createDispatchHandler({
      store,
      commands: createSqsCommandQueue({ client: sqs, queueUrl: commandsUrl }),
      relayKey: async () => 'bench-relay-key-0123456789abcdef',
    });
    const jobOps = createJobOpsHandler({ store, notifier: { notify: async () => undefined } });
    const claim = createClaimHandler({
      store,
      orchestrator: {
        start: async () => {
          throw new Error('an attack started a workflow');
        },
      } as never,
    });
    const executionStatus = createExecutionStatusHandler({ store });
    const now = new Date().toISOString();
    const job = await store.createJob({
      id: 'JOBBENCH0001',
      type: 'rolling_cluster_update',
      target: { kind: 'cluster', id: 'lab-a' },
      params: {},
      createdBy: { kind: 'user', id: 'u-bench', name: 'Bench' },
      createdAt: now,
      scheduleAt: now,
      details: {},
      requiresApproval: false,
    });

    const queued = async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: commandsUrl, MaxNumberOfMessages: 10 }))).Messages
        ?.length ?? 0;
    const traces = async (jobId: string) => {
      if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 1024) return 0;
      const [records, steps, log] = await Promise.all([
        store.listRecordsByParent(RELAY_COMMAND_TYPE, jobId),
        store.listSteps(jobId),
        store.listLog(jobId),
      ]);
      return records.items.length + steps.length + log.items.length;
    };
    const attempt = async (name: string, call: () => Promise<unknown>, watchJob: unknown = job.id) => {
      let detail: string;
      let own = false;
      try {
        await call();
        detail = 'accepted';
      } catch (err) {
        const e = err as Error;
        own = OWN_ERRORS.has(e.name);
        detail = `${e.name}: ${e.message.slice(0, 140)}`;
      }
      const sent = await queued();
      const left = await traces(watchJob as string);
      const refused = own && sent === 0 && left === 0;
      outcomes.push({
        area: 'lambda-input',
        name,
        refused,
        detail: refused ? detail : `${detail}; ${sent} command(s) queued, ${left} item(s) written`,
      });
    };

    const payload = (over: Record<string, unknown> = {}) => ({
      jobId: job.id,
      command: { kind: 'host.power', target: { type: 'idrac', id: 'ABC1234' }, params: { action: 'On' } },
      taskToken: 'bench-token',
      ...over,
    });
    const withStep = { step: { key: 'host:ABC1234:power', name: 'Power on', hostId: 'ABC1234' } };

    // dispatch: ids
    for (const [what, id] of BAD_IDS) {
      await attempt(`dispatch jobId ${what}`, () => dispatch(payload({ jobId: id, ...withStep })), id);
      await attempt(`dispatch step.hostId ${what}`, () =>
        dispatch(payload({ step: { key: 'host:x:power', name: 'Power on', hostId: id } })),
      );
    }
    // dispatch: jobs that do not exist
    for (let i = 0; i < 20; i++) {
      const ghost = `GHOSTJOB${String(i).padStart(4, '0')}`;
      await attempt(
        `dispatch for a job that does not exist (${ghost})`,
        () => dispatch(payload({ jobId: ghost, ...withStep })),
        ghost,
      );
    }
    // dispatch: prototype keys, as JSON.parse makes them, at several places
    for (const key of PROTO_KEYS) {
      const places: [string, string][] = [
        [
          'top level',
          `{"jobId":"${job.id}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234"},"params":{"action":"On"}},"taskToken":"t","${key}":{"polluted":1}}`,
        ],
        [
          'command',
          `{"jobId":"${job.id}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234"},"params":{"action":"On"},"${key}":{"polluted":1}},"taskToken":"t"}`,
        ],
        [
          'params',
          `{"jobId":"${job.id}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234"},"params":{"action":"On","${key}":{"polluted":1}}},"taskToken":"t"}`,
        ],
        [
          'target',
          `{"jobId":"${job.id}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234","${key}":{"polluted":1}},"params":{"action":"On"}},"taskToken":"t"}`,
        ],
        [
          'step',
          `{"jobId":"${job.id}","command":{"kind":"host.power","target":{"type":"idrac","id":"ABC1234"},"params":{"action":"On"}},"taskToken":"t","step":{"key":"k","name":"n","${key}":{"polluted":1}}}`,
        ],
        [
          'deep params',
          `{"jobId":"${job.id}","command":{"kind":"media.insert","target":{"type":"idrac","id":"ABC1234"},"params":{"image":"https://x/y.iso","a":{"b":{"c":{"${key}":{"polluted":1}}}}}},"taskToken":"t"}`,
        ],
      ];
      for (const [where, text] of places)
        await attempt(`dispatch ${key} in ${where}`, () => dispatch(JSON.parse(text) as unknown));
    }
    // dispatch: size and shape
    await attempt('dispatch 100 KB of unknown params', () =>
      dispatch(
        payload({
          command: {
            kind: 'host.power',
            target: { type: 'idrac', id: 'ABC1234' },
            params: { action: 'On', junk: 'x'.repeat(100_000) },
          },
        }),
      ),
    );
    await attempt('dispatch 5 MB task token', () =>
      dispatch(payload({ taskToken: 't'.repeat(5 * 1024 * 1024) })),
    );
    for (const kind of ['host.explode', '', '__proto__', 'host.power; rm -rf /'])
      await attempt(`dispatch unknown kind ${JSON.stringify(kind)}`, () =>
        dispatch(payload({ command: { kind, target: { type: 'idrac', id: 'ABC1234' }, params: {} } })),
      );
    for (const ev of [null, 'string', 42, [], {}, { jobId: job.id }])
      await attempt(`dispatch event ${JSON.stringify(ev)}`, () => dispatch(ev));

    // job-ops: bad states (raw ZodErrors before) and ids
    const badStates: unknown[] = [
      {},
      { host: { hostId: 42 } },
      'state',
      [1, 2],
      { ctx: 'x' },
      { plan: { hosts: 'x' } },
    ];
    for (const op of [
      'host-begin',
      'host-done',
      'host-failed',
      'host-stopped',
      'preflight-host',
      'preflight',
      'blockers',
      'apply-resolution',
      'apply-now-begin',
    ])
      for (const [i, state] of badStates.entries())
        await attempt(`job-ops ${op} bad state #${i + 1}`, () => jobOps({ op, jobId: job.id, state }));
    for (const key of PROTO_KEYS)
      await attempt(`job-ops ${key} in state`, () =>
        jobOps(JSON.parse(`{"op":"host-begin","jobId":"${job.id}","state":{"${key}":{"x":1}}}`) as unknown),
      );
    for (const [what, id] of BAD_IDS)
      await attempt(`job-ops jobId ${what}`, () => jobOps({ op: 'log', jobId: id, message: 'm' }), id);
    await attempt(
      'job-ops for a job that does not exist',
      () => jobOps({ op: 'log', jobId: 'GHOSTOPS0001', message: 'm' }),
      'GHOSTOPS0001',
    );

    // claim and execution-status
    for (const [what, id] of BAD_IDS) {
      await attempt(`claim job ${what}`, () => claim({ kind: 'job', jobId: id }), id);
      await attempt(`claim window ${what}`, () => claim({ kind: 'window', windowId: id }));
      await attempt(`claim inventory-sync ${what}`, () =>
        claim({ kind: 'inventory-sync', source: 'vcenter', sourceId: id }),
      );
    }
    for (const key of PROTO_KEYS)
      await attempt(`claim ${key}`, () =>
        claim(JSON.parse(`{"kind":"job","jobId":"${job.id}","${key}":{"x":1}}`) as unknown),
      );
    for (const ev of [
      {},
      { source: 'aws.states' },
      { source: 'evil', detail: {} },
      { source: 'aws.states', detail: { status: 'FAILED' } },
    ])
      await attempt(`execution-status event ${JSON.stringify(ev)}`, () => executionStatus(ev));
    await attempt('execution-status __proto__ in detail', () =>
      executionStatus(
        JSON.parse(
          '{"source":"aws.states","detail":{"executionArn":"a","name":"n","status":"FAILED","__proto__":{"x":1}}}',
        ) as unknown,
      ),
    );
  } finally {
    sqs.destroy();
    await emu.close();
    await dynalite.close();
  }
  return outcomes;
};
