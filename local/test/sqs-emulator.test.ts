import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsEmulator, startSqsEmulator } from '../src/sqs-emulator';

describe('startSqsEmulator', () => {
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
    sqs?.destroy();
    await emu?.close();
  });

  it('listens on loopback with an ephemeral port', () => {
    expect(emu.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates a FIFO queue and round-trips a message through the AWS SDK', async () => {
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'commands.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    const queueUrl = created.QueueUrl ?? '';
    expect(queueUrl).toContain('commands.fifo');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"hello":"relay"}',
        MessageGroupId: 'idrac:ABC1234',
        MessageDeduplicationId: 'cmd-1',
      }),
    );
    // Same deduplication id within the window: FIFO drops it.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"hello":"relay"}',
        MessageGroupId: 'idrac:ABC1234',
        MessageDeduplicationId: 'cmd-1',
      }),
    );
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(got.Messages?.map((m) => m.Body)).toEqual(['{"hello":"relay"}']);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }),
    );
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(empty.Messages ?? []).toEqual([]);
  });
});
