import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ResultSink } from '@rackops/core/ports/command-queue.port';
import { RelayMessage } from '@rackops/core/relay/result.schema';

/** Results, progress, rejections and heartbeats go to the (standard) results queue, validated first. */
export function createSqsResultSink(sqs: SQSClient, queueUrl: string): ResultSink {
  return {
    async send(message) {
      const body = JSON.stringify(RelayMessage.parse(message));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
