import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Logger, pino } from 'pino';

export interface ResultsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** The result handler (Lambda-shaped: SQS batch in, batchItemFailures out). */
  handle: (event: { Records: { messageId: string; body: string }[] }) => Promise<{
    batchItemFailures: { itemIdentifier: string }[];
  }>;
  logger?: Logger;
  /** Long-poll wait. @default 1 */
  waitTimeSeconds?: number;
  /** Batches handled at once, as the event source mapping runs several Lambda invocations. @default 5 */
  concurrency?: number;
}

/**
 * What the SQS event source mapping does for the result Lambda in AWS: long-poll the results queue, hand
 * batches to the handler, delete what succeeded; failed items reappear after their visibility timeout. Like
 * the mapping (which starts with five concurrent batches on a standard queue), several batches run at once:
 * one slow batch (an inventory page to ingest) does not hold up the results behind it.
 *
 * One long poll is out at a time, and a new one goes out as soon as a batch is handed over (while fewer than
 * `concurrency` batches run). Five waiting polls were not five times as quick: the emulator wakes every
 * waiting poll when a message arrives and all but one answer empty, so each result cost four more
 * ReceiveMessage round trips on the orchestrator's event loop, just when that result was being handled.
 */
export function startResultsPoller(opts: ResultsPollerOptions): { stop(): Promise<void> } {
  const log = opts.logger ?? pino({ level: 'silent' });
  const abort = new AbortController();
  const limit = Math.max(1, opts.concurrency ?? 5);
  const running = new Set<Promise<void>>();

  const handleBatch = async (messages: { MessageId: string; ReceiptHandle: string; Body?: string }[]) => {
    try {
      const { batchItemFailures } = await opts.handle({
        Records: messages.map((m) => ({ messageId: m.MessageId, body: m.Body ?? '' })),
      });
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = messages.filter((m) => !failed.has(m.MessageId));
      if (done.length > 0) {
        await opts.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: opts.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    } catch (err) {
      // Not deleted: the batch comes back after its visibility timeout, as the mapping would retry it.
      log.error({ err }, 'results batch failed; it will be received again');
    }
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      if (running.size >= limit) {
        await Promise.race(running);
        continue;
      }
      try {
        const out = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 1,
            VisibilityTimeout: 30,
          }),
          { abortSignal: abort.signal },
        );
        const messages = (out.Messages ?? []).flatMap((m) =>
          m.MessageId && m.ReceiptHandle
            ? [{ MessageId: m.MessageId, ReceiptHandle: m.ReceiptHandle, Body: m.Body }]
            : [],
        );
        if (messages.length === 0) continue;
        const batch: Promise<void> = handleBatch(messages).finally(() => running.delete(batch));
        running.add(batch);
      } catch (err) {
        if (abort.signal.aborted) break;
        log.error({ err }, 'results poll failed');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Batches already handed over finish (their messages deleted) before the poller says it stopped.
    await Promise.all(running);
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
