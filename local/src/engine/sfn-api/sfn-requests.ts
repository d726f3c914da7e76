import { z } from 'zod';

/**
 * Request bodies of the operations served, with the limits Step Functions documents. Members the SDK may add
 * later (traceHeader, includedData…) are ignored rather than refused, as the service does for optional ones.
 */

/** Input/output documents: 256 KiB of UTF-8 in AWS. */
export const MAX_PAYLOAD_CHARS = 256 * 1024;

const Arn = z.string().min(1).max(256);
const TaskToken = z.string().min(1).max(2048);

export const StartExecutionRequest = z.object({
  stateMachineArn: Arn,
  name: z.string().optional(),
  input: z.string().optional(),
});

export const DescribeExecutionRequest = z.object({ executionArn: Arn });

export const StopExecutionRequest = z.object({
  executionArn: Arn,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});

export const SendTaskSuccessRequest = z.object({ taskToken: TaskToken, output: z.string() });

export const SendTaskFailureRequest = z.object({
  taskToken: TaskToken,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});

export const SendTaskHeartbeatRequest = z.object({ taskToken: TaskToken });

export const ExecutionStatusFilter = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export const ListExecutionsRequest = z.object({
  stateMachineArn: Arn.optional(),
  mapRunArn: Arn.optional(),
  statusFilter: z.enum([...ExecutionStatusFilter.options, 'PENDING_REDRIVE']).optional(),
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: z.string().min(1).max(3096).optional(),
});

/**
 * Execution names: 1-80 characters, none of whitespace, `< > { } [ ] ? *`, `" # % \ ^ | ~ \` $ & , ; : /` or
 * control characters (AWS's rule; it also keeps the name one ARN segment).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
export const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
