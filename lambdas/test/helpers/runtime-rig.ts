import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type SqsEmulator, startSqsEmulator } from '@rackops/local/sqs-emulator';

export interface Queues {
  sqs: SQSClient;
  commandsUrl: string;
  resultsUrl: string;
  /** Receive up to 10 messages from a queue (short wait), with their system attributes. */
  receive(url: string): Promise<{ body: unknown; groupId?: string; dedupId?: string; receipt?: string }[]>;
  close(): Promise<void>;
}

let seq = 0;

/** fauxqs on loopback with a commands FIFO queue and a results queue, like the stack creates. */
export async function startQueues(): Promise<Queues> {
  const emu: SqsEmulator = await startSqsEmulator();
  const sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const n = ++seq;
  const commands = await sqs.send(
    new CreateQueueCommand({
      QueueName: `commands-${n}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  const results = await sqs.send(new CreateQueueCommand({ QueueName: `results-${n}` }));
  return {
    sqs,
    commandsUrl: commands.QueueUrl ?? '',
    resultsUrl: results.QueueUrl ?? '',
    async receive(url) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        body: JSON.parse(m.Body ?? 'null') as unknown,
        groupId: m.Attributes?.MessageGroupId,
        dedupId: m.Attributes?.MessageDeduplicationId,
        receipt: m.ReceiptHandle,
      }));
    },
    async close() {
      sqs.destroy();
      await emu.close();
    },
  };
}
