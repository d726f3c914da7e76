import { z } from 'zod';
import { IsoTime } from '../jobs/job.schema';
import { CommandKind } from './commands';

export const RelayErrorInfo = z.object({
  /** Stable code, e.g. `timeout`, `unreachable`, `idrac_job_failed`, `rejected_bad_signature`. */
  code: z.string(),
  message: z.string().max(4000),
  retryable: z.boolean().default(false),
});
export type RelayErrorInfo = z.infer<typeof RelayErrorInfo>;

/** Messages on the results queue (standard queue). The result Lambda records them, then talks to Step Functions. */
export const RelayMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('result'),
    v: z.literal(1),
    commandId: z.string(),
    kind: CommandKind,
    jobId: z.string().optional(),
    taskToken: z.string().optional(),
    at: IsoTime,
    ok: z.boolean(),
    output: z.record(z.string(), z.unknown()).optional(),
    error: RelayErrorInfo.optional(),
    durationMs: z.number().nonnegative(),
  }),
  z.object({
    type: z.literal('progress'),
    v: z.literal(1),
    commandId: z.string(),
    kind: CommandKind,
    jobId: z.string().optional(),
    taskToken: z.string().optional(),
    at: IsoTime,
    message: z.string().max(2000),
    percent: z.number().min(0).max(100).optional(),
    /** A page of streamed data (inventory): recorded by the result consumer. */
    page: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    type: z.literal('rejected'),
    v: z.literal(1),
    commandId: z.string().optional(),
    jobId: z.string().optional(),
    taskToken: z.string().optional(),
    at: IsoTime,
    reason: z.enum(['malformed', 'unsigned', 'bad_signature', 'expired', 'replayed', 'unknown_target']),
    detail: z.string(),
  }),
  z.object({
    type: z.literal('agent-heartbeat'),
    v: z.literal(1),
    agentId: z.string(),
    version: z.string(),
    at: IsoTime,
    uptimeSeconds: z.number().nonnegative(),
    inFlight: z.array(z.object({ commandId: z.string(), kind: CommandKind, target: z.string() })),
  }),
]);
export type RelayMessage = z.infer<typeof RelayMessage>;
