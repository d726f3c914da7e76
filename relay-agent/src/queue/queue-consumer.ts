import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics';
import { KeyedSemaphore } from './keyed-semaphore';

/** What the consumer does with a message after handling: delete it, or hand it back to the queue now. */
export type Disposition = 'ack' | 'release';

/** How SQS delivered a message: `receiveCount` > 1 means it was handed out before (to this agent or another). */
export interface Delivery {
  readonly receiveCount: number;
}

export type MessageHandler = (body: string, signal: AbortSignal, delivery?: Delivery) => Promise<Disposition>;

export interface QueueConsumerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxConcurrency: number;
  readonly perTarget: number;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly handle: MessageHandler;
}

/**
 * Long-polls the commands FIFO queue. Each message keeps its visibility extended while it is handled,
 * so SQS never hands it to anyone else mid-command. Concurrency is bounded overall and per
 * MessageGroupId (one device); FIFO already serialises a group, the per-target bound is the backstop.
 */
export class QueueConsumer {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly inflight = new Map<string, { ctl: AbortController; done: Promise<void> }>();
  private readonly sem: KeyedSemaphore;
  private slotFreed: (() => void) | undefined;

  constructor(private readonly o: QueueConsumerOptions) {
    this.sem = new KeyedSemaphore(o.maxConcurrency, o.perTarget);
  }

  get inFlightCount(): number {
    return this.inflight.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stop receiving; give in-flight work `graceMs` to finish, then abort it (it returns to the queue).
   * The current long poll is allowed to finish (≤ waitTimeSeconds) rather than aborted: an abandoned
   * poll can still be handed a message server-side, which would then stay invisible for a whole
   * visibility timeout — exactly the messages we are about to give back.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.slotFreed?.();
    await this.loop?.catch(() => undefined);
    const all = () => Promise.allSettled([...this.inflight.values()].map((f) => f.done));
    const finished = await Promise.race([all().then(() => true), sleep(graceMs).then(() => false)]);
    if (!finished) {
      this.o.log.warn(
        { inFlight: this.inflight.size },
        'grace period over: returning in-flight commands to the queue',
      );
      for (const f of this.inflight.values()) f.ctl.abort();
      await all();
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const free = this.o.maxConcurrency - this.inflight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      let messages: Message[];
      try {
        const res = await this.o.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.o.queueUrl,
            MaxNumberOfMessages: Math.min(10, free),
            WaitTimeSeconds: this.o.waitTimeSeconds,
            VisibilityTimeout: this.o.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount', 'MessageGroupId'],
          }),
        );
        messages = res.Messages ?? [];
        failures = 0;
      } catch (err) {
        if (this.stopping) break;
        failures++;
        const wait = Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        this.o.log.error(
          { err: (err as Error).message, retryInMs: Math.round(wait) },
          'receiving from the commands queue failed',
        );
        await sleep(wait).catch(() => undefined);
        continue;
      }
      if (this.stopping) {
        // Received during shutdown: hand them straight back.
        await Promise.allSettled(messages.map((m) => this.visibility(m.ReceiptHandle ?? '', 0)));
        break;
      }
      for (const m of messages) this.dispatch(m);
    }
  }

  private dispatch(m: Message): void {
    const id = m.MessageId ?? m.ReceiptHandle ?? String(Math.random());
    const sent = Number(m.Attributes?.SentTimestamp);
    if (Number.isFinite(sent)) this.o.metrics.queueLag.observe(Math.max(0, Date.now() - sent) / 1000);
    const group = m.Attributes?.MessageGroupId ?? 'default';
    const ctl = new AbortController();
    const done = this.work(m, group, ctl).finally(() => {
      this.inflight.delete(id);
      this.slotFreed?.();
    });
    this.inflight.set(id, { ctl, done });
  }

  private async work(m: Message, group: string, ctl: AbortController): Promise<void> {
    const receipt = m.ReceiptHandle ?? '';
    const period = Math.max(1, Math.floor(this.o.visibilityTimeoutSeconds / 3)) * 1000;
    const extender = setInterval(() => {
      this.visibility(receipt, this.o.visibilityTimeoutSeconds).catch((err: Error) =>
        this.o.log.warn({ err: err.message }, 'extending message visibility failed'),
      );
    }, period);
    let disposition: Disposition = 'release';
    try {
      await this.sem.acquire(group);
      try {
        const count = Number(m.Attributes?.ApproximateReceiveCount);
        disposition = await this.o.handle(m.Body ?? '', ctl.signal, {
          receiveCount: Number.isFinite(count) && count > 0 ? count : 1,
        });
      } finally {
        this.sem.release(group);
      }
    } catch (err) {
      this.o.log.error(
        { err: (err as Error).message },
        'command handling failed; returning the message to the queue',
      );
    } finally {
      clearInterval(extender);
    }
    try {
      if (disposition === 'ack') {
        await this.o.sqs.send(
          new DeleteMessageCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: receipt }),
        );
      } else {
        await this.visibility(receipt, 0);
      }
    } catch (err) {
      this.o.log.warn(
        { err: (err as Error).message, disposition },
        'settling the message failed; SQS will redeliver it',
      );
    }
  }

  private async visibility(receipt: string, seconds: number): Promise<void> {
    await this.o.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.o.queueUrl,
        ReceiptHandle: receipt,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
