import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueDepth, QueueStats } from '@rackops/core/ports/queue-stats.port';
import { z } from 'zod';

export interface WatchedQueue {
  name: string;
  url: string;
  deadLetter: boolean;
}

const Count = z.coerce.number().int().min(0).default(0);
const Attributes = z.object({
  ApproximateNumberOfMessages: Count,
  ApproximateNumberOfMessagesNotVisible: Count,
  ApproximateNumberOfMessagesDelayed: Count,
});

/**
 * Queue depths from GetQueueAttributes. SQS answers no age there (ApproximateAgeOfOldestMessage is a
 * CloudWatch metric, which the SQS emulator does not have): the age is read only for a dead-letter queue
 * that holds messages, by receiving up to ten with a zero visibility timeout and taking the oldest
 * SentTimestamp, then gives them back (visibility 0). That is safe there (nothing consumes a dead-letter queue, and a zero timeout leaves the
 * messages visible) and never done on a work queue, where a receive would count towards its redrive.
 */
export function createSqsQueueStats(opts: {
  client: SQSClient;
  queues: WatchedQueue[];
  now?: () => Date;
}): QueueStats {
  const now = opts.now ?? (() => new Date());
  const oldestAge = async (url: string): Promise<number | undefined> => {
    const out = await opts.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    const messages = out.Messages ?? [];
    // Given back at once, explicitly: the SQS emulator takes a zero VisibilityTimeout on receive as "default".
    if (messages.length)
      await opts.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: messages.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      );
    const sent = messages
      .map((m) => Number(m.Attributes?.SentTimestamp))
      .filter((t) => Number.isFinite(t) && t > 0);
    if (!sent.length) return undefined;
    return Math.max(0, Math.floor((now().getTime() - Math.min(...sent)) / 1000));
  };
  const one = async (q: WatchedQueue): Promise<QueueDepth> => {
    const out = await opts.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: q.url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const a = Attributes.parse(out.Attributes ?? {});
    const depth: QueueDepth = {
      name: q.name,
      deadLetter: q.deadLetter,
      visible: a.ApproximateNumberOfMessages,
      inFlight: a.ApproximateNumberOfMessagesNotVisible,
      delayed: a.ApproximateNumberOfMessagesDelayed,
    };
    if (q.deadLetter && depth.visible > 0) {
      const age = await oldestAge(q.url);
      if (age !== undefined) depth.oldestAgeSeconds = age;
    }
    return depth;
  };
  return { read: () => Promise.all(opts.queues.map(one)) };
}

/**
 * The relay queues named by the environment infra sets (COMMANDS_QUEUE_URL, RESULTS_QUEUE_URL and their
 * dead-letter queues COMMANDS_DLQ_URL, RESULTS_DLQ_URL); those not set are not watched.
 */
export function watchedQueuesFromEnv(env: Readonly<Record<string, string | undefined>>): WatchedQueue[] {
  const named: [string, string, boolean][] = [
    ['commands', 'COMMANDS_QUEUE_URL', false],
    ['results', 'RESULTS_QUEUE_URL', false],
    ['commands dead-letter', 'COMMANDS_DLQ_URL', true],
    ['results dead-letter', 'RESULTS_DLQ_URL', true],
  ];
  return named.flatMap(([name, key, deadLetter]) => {
    const url = env[key];
    return url ? [{ name, url, deadLetter }] : [];
  });
}
