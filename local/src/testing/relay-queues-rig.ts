import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueStats } from '@rackops/core/ports/queue-stats.port';
import { createSqsQueueStats } from '@rackops/lambdas/adapters/sqs-queue-stats';
import { createRelayQueues, type RelayQueues } from '../relay-queues';
import { startSqsEmulator } from '../sqs-emulator';

export interface RelayQueuesRig {
  queues: RelayQueues;
  /** The SQS adapter of the queue-stats port over these queues. */
  stats: QueueStats;
  /** Put one message on a queue (a FIFO one gets a group and a deduplication id of its own). */
  send(url: string, id: string): Promise<void>;
  close(): Promise<void>;
}

/** The SQS emulator with the relay queues and their dead-letter queues, for tests outside `local`. */
export async function startRelayQueuesRig(): Promise<RelayQueuesRig> {
  const emu = await startSqsEmulator();
  const sqs = new SQSClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const queues = await createRelayQueues(sqs);
    return {
      queues,
      stats: createSqsQueueStats({ client: sqs, queues: queues.watched }),
      async send(url, id) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: JSON.stringify({ id }),
            ...(url.endsWith('.fifo') ? { MessageGroupId: `test:${id}`, MessageDeduplicationId: id } : {}),
          }),
        );
      },
      async close() {
        sqs.destroy();
        await emu.close();
      },
    };
  } catch (err) {
    sqs.destroy();
    await emu.close();
    throw err;
  }
}
