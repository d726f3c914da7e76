import { z } from 'zod';
import { IsoTime } from '../jobs/job.schema';
import { CommandKind } from './commands';
import { KeyId } from './keyring';

/**
 * The agent signs every message it sends (message-signature.ts): `kid` names its key, `sig` is the HMAC of the
 * message without `sig`. Optional in the shape so the result handler can refuse an unsigned message by name.
 */
const Signature = {
  kid: KeyId.optional(),
  sig: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
};
/** The device the command was for (`type:id`), so the cloud can check it against what it dispatched. */
const Target = z.string().max(256).optional();

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
    target: Target,
    ...Signature,
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
    target: Target,
    ...Signature,
  }),
  z.object({
    type: z.literal('rejected'),
    v: z.literal(1),
    commandId: z.string().optional(),
    jobId: z.string().optional(),
    taskToken: z.string().optional(),
    at: IsoTime,
    reason: z.enum([
      'malformed',
      'unsigned',
      'unknown_key',
      'bad_signature',
      'expired',
      'issued_in_future',
      'bad_lifetime',
      'too_large',
      'replayed',
      'unknown_target',
    ]),
    detail: z.string(),
    target: Target,
    ...Signature,
  }),
  z.object({
    type: z.literal('agent-heartbeat'),
    v: z.literal(1),
    agentId: z.string(),
    version: z.string(),
    at: IsoTime,
    uptimeSeconds: z.number().nonnegative(),
    inFlight: z.array(z.object({ commandId: z.string(), kind: CommandKind, target: z.string() })),
    ...Signature,
  }),
]);
export type RelayMessage = z.infer<typeof RelayMessage>;
