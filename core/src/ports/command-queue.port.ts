import type { Envelope } from '../relay/envelope';
import type { RelayMessage } from '../relay/result.schema';

/** Where signed commands go (SQS FIFO in AWS and locally through the SQS emulator). */
export interface CommandQueue {
  send(envelope: Envelope): Promise<void>;
}

/** Where the agent's results, progress and heartbeats go. */
export interface ResultSink {
  send(message: RelayMessage): Promise<void>;
}
