/** One queue's depth as SQS reports it (GetQueueAttributes), and the age of its oldest message when known. */
export interface QueueDepth {
  /** What the operator calls it: `commands`, `results`, `commands dead-letter`… */
  name: string;
  /** A dead-letter queue: any message in it is work that was never done. */
  deadLetter: boolean;
  /** Waiting to be received (ApproximateNumberOfMessages). */
  visible: number;
  /** Received, not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
  /** Sent with a delay not yet over (ApproximateNumberOfMessagesDelayed). */
  delayed: number;
  /**
   * Seconds since the oldest message was sent, when the adapter can tell without taking work from a consumer
   * (see the SQS adapter: dead-letter queues only). Undefined = not known, never "empty".
   */
  oldestAgeSeconds?: number;
}

/** Reads the relay queues' depths (SQS in AWS and locally through the SQS emulator). */
export interface QueueStats {
  read(): Promise<QueueDepth[]>;
}
