import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueWithDeadLetterProps {
  /** Customer-managed key encrypting the queue and its dead-letter queue. */
  readonly encryptionKey: IKey;
  /**
   * FIFO queue (and FIFO dead-letter queue). Content-based deduplication stays off: senders give an explicit
   * MessageDeduplicationId (the envelope id), so two distinct commands with equal bodies are never merged.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * How long a received message stays invisible before another consumer may take it.
   * @default Duration.seconds(60)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message is moved to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long an unconsumed message is kept.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
}

/** An SQS queue with its dead-letter queue: KMS-encrypted, TLS-only, kept on stack deletion. */
export class QueueWithDeadLetter extends Construct {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new RangeError(`maxReceiveCount must be an integer in 1..1000, got ${maxReceiveCount}`);
    }
    const visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(60);
    if (visibilityTimeout.toSeconds() > 43_200) {
      throw new RangeError('visibilityTimeout must be at most 12 hours (SQS limit)');
    }

    const common = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Reuse data keys for 5 minutes: far fewer KMS calls at a negligible cost in key exposure.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(fifo ? { fifo: true, contentBasedDeduplication: false } : {}),
    };

    this.deadLetterQueue = new Queue(this, 'DeadLetter', {
      ...common,
      // Dead letters are evidence for a post-mortem: keep them as long as SQS allows.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      ...common,
      visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }
}
