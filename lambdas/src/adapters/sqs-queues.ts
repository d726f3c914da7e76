import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CommandQueue, ResultSink } from '@rackops/core/ports/command-queue.port';
import { type Envelope, messageGroupId } from '@rackops/core/relay/envelope';
import type { RelayMessage } from '@rackops/core/relay/result.schema';
import { PayloadTooLargeError } from '@rackops/core/util/errors';

/** SQS refuses bodies over 256 KiB; say so with our own error before the API does. */
const MAX_BODY_BYTES = 256 * 1024;

function body(what: string, value: unknown): string {
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_BODY_BYTES) throw new PayloadTooLargeError(what, bytes, MAX_BODY_BYTES);
  return text;
}

/**
 * Signed commands onto the commands FIFO queue. MessageGroupId is the device, so one iDRAC or vCenter is
 * worked serially while devices run in parallel; the envelope id deduplicates a re-sent command.
 */
export function createSqsCommandQueue(opts: { client: SQSClient; queueUrl: string }): CommandQueue {
  return {
    async send(envelope: Envelope) {
      await opts.client.send(
        new SendMessageCommand({
          QueueUrl: opts.queueUrl,
          MessageBody: body(`command ${envelope.id}`, envelope),
          MessageGroupId: messageGroupId(envelope.target),
          MessageDeduplicationId: envelope.id,
        }),
      );
    },
  };
}

/** Results, progress, rejections and heartbeats onto the (standard) results queue. */
export function createSqsResultSink(opts: { client: SQSClient; queueUrl: string }): ResultSink {
  return {
    async send(message: RelayMessage) {
      await opts.client.send(
        new SendMessageCommand({
          QueueUrl: opts.queueUrl,
          MessageBody: body(`${message.type} message`, message),
        }),
      );
    },
  };
}
