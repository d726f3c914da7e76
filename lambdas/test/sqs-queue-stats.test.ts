import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth } from '@rackops/core/ports/queue-stats.port';
import { DEFAULT_HEALTH_THRESHOLDS } from '@rackops/core/usecases/health-thresholds';
import { queuesCheck } from '@rackops/core/usecases/queue-health';
import { createRelayQueues, type RelayQueues } from '@rackops/local/relay-queues';
import { type SqsEmulator, startSqsEmulator } from '@rackops/local/sqs-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsQueueStats, watchedQueuesFromEnv } from '../src/adapters/sqs-queue-stats';

let emu: SqsEmulator;
let sqs: SQSClient;
beforeAll(async () => {
  emu = await startSqsEmulator();
  sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  sqs.destroy();
  await emu.close();
});

let n = 0;
const sendCommand = (q: RelayQueues, group: string) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: q.commandsQueueUrl,
      MessageBody: JSON.stringify({ n: ++n }),
      MessageGroupId: group,
      MessageDeduplicationId: `m${n}`,
    }),
  );
const receive = (url: string, visibility: number) =>
  sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: visibility }),
  );
const byName = (depths: QueueDepth[]): Record<string, QueueDepth> =>
  Object.fromEntries(depths.map((d) => [d.name, d]));

describe('SQS queue stats on the SQS emulator', () => {
  it('reads waiting and in-flight messages of the work queues, and nothing in empty dead-letter queues', async () => {
    const q = await createRelayQueues(sqs, { prefix: 'stats-a' });
    for (const g of ['idrac:A', 'idrac:B', 'idrac:C']) await sendCommand(q, g);
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: q.commandsQueueUrl,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: 60,
      }),
    );
    const depths = byName(await createSqsQueueStats({ client: sqs, queues: q.watched }).read());
    expect(depths.commands).toEqual({
      name: 'commands',
      deadLetter: false,
      visible: 2,
      inFlight: 1,
      delayed: 0,
    });
    expect(depths.results).toMatchObject({ visible: 0, inFlight: 0 });
    expect(depths['commands dead-letter']).toEqual({
      name: 'commands dead-letter',
      deadLetter: true,
      visible: 0,
      inFlight: 0,
      delayed: 0,
    });
    expect(queuesCheck({ queues: Object.values(depths) }, DEFAULT_HEALTH_THRESHOLDS).state).toBe('ok');
  });

  it('a command received too often is redriven to the dead-letter queue: health turns critical with its age, and the peek leaves it there', async () => {
    const q = await createRelayQueues(sqs, {
      prefix: 'stats-b',
      maxReceiveCount: 1,
      visibilityTimeoutSeconds: 1,
    });
    await sendCommand(q, 'idrac:POISON');
    expect((await receive(q.commandsQueueUrl, 1)).Messages).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1200));
    // The second receive finds it over maxReceiveCount: SQS moves it instead of delivering it.
    expect((await receive(q.commandsQueueUrl, 1)).Messages ?? []).toHaveLength(0);
    const later = new Date(Date.now() + 20 * 60_000);
    const stats = createSqsQueueStats({ client: sqs, queues: q.watched, now: () => later });
    const first = byName(await stats.read());
    expect(first['commands dead-letter']).toMatchObject({ visible: 1, inFlight: 0 });
    expect(first['commands dead-letter']?.oldestAgeSeconds).toBeGreaterThanOrEqual(20 * 60);
    expect(first.commands).toMatchObject({ visible: 0, inFlight: 0 });
    expect(first.commands?.oldestAgeSeconds).toBeUndefined();
    const check = queuesCheck({ queues: Object.values(first) }, DEFAULT_HEALTH_THRESHOLDS);
    expect(check.state).toBe('critical');
    expect(check.items[0]).toMatch(/^commands dead-letter: 1 message\(s\), oldest 2\d min \(limit 0\)/);
    // Read again: still one visible message (a zero visibility timeout gives it straight back).
    expect(byName(await stats.read())['commands dead-letter']).toMatchObject({ visible: 1, inFlight: 0 });
  });

  it('watches the queues the environment names, and only those', () => {
    expect(
      watchedQueuesFromEnv({ COMMANDS_QUEUE_URL: 'c', RESULTS_QUEUE_URL: 'r', RESULTS_DLQ_URL: 'rd' }),
    ).toEqual([
      { name: 'commands', url: 'c', deadLetter: false },
      { name: 'results', url: 'r', deadLetter: false },
      { name: 'results dead-letter', url: 'rd', deadLetter: true },
    ]);
  });
});
