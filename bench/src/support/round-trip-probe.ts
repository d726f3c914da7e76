import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Store } from '@rackops/core/ports/store.port';

export interface RoundTrips {
  /** One Store read (the job record) from the orchestrator's process, as every op and dispatch makes them. */
  storeMs: number[];
  /** A message from its send to a long poll already waiting for it, through the same SQS stand-in (FIFO). */
  queueMs: number[];
}

/**
 * Samples, while a rollout runs, the two round trips a host's overhead is made of, at the load of the moment:
 * a Store read and a queue transit (the SDK clients, the stand-ins and this process's event loop as busy as
 * the rollout makes them). One sample of each every `everyMs` (default 200).
 */
export async function startRoundTripProbe(o: {
  store: Pick<Store, 'getJob'>;
  jobId: string;
  sqsEndpoint: string;
  everyMs?: number;
}): Promise<{ stop(): Promise<RoundTrips> }> {
  const sqs = new SQSClient({
    endpoint: o.sqsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // FIFO, as the commands queue is (a message group per device); the results queue is standard.
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'rackops-bench-probe.fifo',
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  if (!QueueUrl) throw new Error('probe queue not created');
  const out: RoundTrips = { storeMs: [], queueMs: [] };
  let stopped = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const loop = (async () => {
    while (!stopped) {
      let t0 = performance.now();
      await o.store.getJob(o.jobId);
      out.storeMs.push(performance.now() - t0);
      const waiting = sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 1 }),
      );
      await sleep(20); // the long poll is parked at the queue before the message is sent
      t0 = performance.now();
      await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'probe',
          MessageGroupId: 'probe',
          MessageDeduplicationId: String(out.storeMs.length),
        }),
      );
      const got = await waiting;
      const m = got.Messages?.[0];
      if (m) {
        out.queueMs.push(performance.now() - t0);
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
      await sleep(o.everyMs ?? 200);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      sqs.destroy();
      return out;
    },
  };
}
