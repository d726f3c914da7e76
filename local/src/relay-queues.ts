import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WatchedQueue } from '@rackops/lambdas/adapters/sqs-queue-stats';

export interface RelayQueues {
  commandsQueueUrl: string;
  resultsQueueUrl: string;
  commandsDeadLetterUrl: string;
  resultsDeadLetterUrl: string;
  /** The four queues as `health` watches them (the same names the AWS bot reads from its environment). */
  watched: WatchedQueue[];
}

/**
 * The commands FIFO queue and the results queue, each with its dead-letter queue and redrive policy, as the
 * stateful stack makes them (infra/src/constructs/queue-with-dead-letter.ts, maxReceiveCount 5): a message
 * received that often without being deleted moves to the dead-letter queue, here as in AWS.
 */
export async function createRelayQueues(
  sqs: SQSClient,
  opts: { prefix?: string; maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<RelayQueues> {
  const prefix = opts.prefix ?? 'rackops';
  const maxReceiveCount = opts.maxReceiveCount ?? 5;
  const pair = async (name: string, fifo: boolean) => {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttrs: Record<string, string> = fifo
      ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' }
      : {};
    const dlq = await create(sqs, `${prefix}-${name}-dlq${suffix}`, fifoAttrs);
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    if (!arn) throw new Error(`the SQS emulator gave no ARN for ${prefix}-${name}-dlq`);
    const queue = await create(sqs, `${prefix}-${name}${suffix}`, {
      ...fifoAttrs,
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }),
      ...(opts.visibilityTimeoutSeconds !== undefined
        ? { VisibilityTimeout: String(opts.visibilityTimeoutSeconds) }
        : {}),
    });
    return { queue, dlq };
  };
  const commands = await pair('commands', true);
  const results = await pair('results', false);
  return {
    commandsQueueUrl: commands.queue,
    resultsQueueUrl: results.queue,
    commandsDeadLetterUrl: commands.dlq,
    resultsDeadLetterUrl: results.dlq,
    watched: [
      { name: 'commands', url: commands.queue, deadLetter: false },
      { name: 'results', url: results.queue, deadLetter: false },
      { name: 'commands dead-letter', url: commands.dlq, deadLetter: true },
      { name: 'results dead-letter', url: results.dlq, deadLetter: true },
    ],
  };
}

async function create(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!out.QueueUrl) throw new Error(`the SQS emulator did not create ${name}`);
  return out.QueueUrl;
}
