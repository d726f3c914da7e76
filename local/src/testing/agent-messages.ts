import { type Envelope, messageGroupId } from '@rackops/core/relay/envelope';
import type { RelayMessage } from '@rackops/core/relay/result.schema';

/**
 * What the agent would send for a command, before signing — the genuine article that attacks and tests bend
 * (`over` replaces any field, including with values the schema refuses).
 */
export const resultFor = (cmd: Envelope, over: Record<string, unknown> = {}): RelayMessage =>
  ({
    type: 'result',
    v: 1,
    commandId: cmd.id,
    kind: cmd.kind,
    jobId: cmd.jobId,
    taskToken: cmd.taskToken,
    target: messageGroupId(cmd.target),
    at: new Date().toISOString(),
    ok: true,
    output: { powerState: 'On', changed: true },
    durationMs: 5,
    ...over,
  }) as RelayMessage;

export const progressFor = (cmd: Envelope, over: Record<string, unknown> = {}): RelayMessage =>
  ({
    type: 'progress',
    v: 1,
    commandId: cmd.id,
    kind: cmd.kind,
    jobId: cmd.jobId,
    taskToken: cmd.taskToken,
    target: messageGroupId(cmd.target),
    at: new Date().toISOString(),
    message: 'all fine, really',
    ...over,
  }) as RelayMessage;

/** An SQS batch as the result Lambda receives it; a string body is sent as it is (malformed input). */
export const sqsBatch = (...bodies: unknown[]) => ({
  Records: bodies.map((b, i) => ({
    messageId: `m-${i}`,
    body: typeof b === 'string' ? b : JSON.stringify(b),
  })),
});
