import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Orchestrator, WorkflowName } from '@rackops/core/ports/orchestrator.port';
import { ValidationError } from '@rackops/core/util/errors';
import { parseOrThrow } from '@rackops/core/util/zod-errors';
import { z } from 'zod';

export interface SfnOrchestratorOptions {
  readonly client: SFNClient;
  /** Workflow name -> state machine ARN (see stateMachineArnsFromEnv). */
  readonly stateMachineArns: Partial<Record<WorkflowName, string>>;
}

/** Step Functions limits: error 256 chars, cause 32 KiB. Longer values are refused by the API, so trim. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

const StateMachineArns = z.record(z.string(), z.string().startsWith('arn:'));

/** `STATE_MACHINE_ARNS` is a JSON object `{ "<workflow name>": "<state machine arn>" }`, set by infra. */
export function stateMachineArnsFromEnv(
  env: Readonly<Partial<Record<'STATE_MACHINE_ARNS', string>>>,
): Partial<Record<WorkflowName, string>> {
  const raw = env.STATE_MACHINE_ARNS;
  if (!raw) throw new ValidationError('STATE_MACHINE_ARNS is not set');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError('STATE_MACHINE_ARNS is not JSON');
  }
  return parseOrThrow(StateMachineArns, parsed, 'STATE_MACHINE_ARNS') as Partial<
    Record<WorkflowName, string>
  >;
}

/**
 * The Orchestrator port on AWS Step Functions. Executions are named by job id, so starting one twice is
 * idempotent (same name and input) or refused (ExecutionAlreadyExists). SDK errors pass through with their
 * AWS names (TaskDoesNotExist, InvalidToken, TaskTimedOut), which the result handler recognises.
 */
export function createSfnOrchestrator(opts: SfnOrchestratorOptions): Orchestrator {
  const { client } = opts;
  const arnFor = (workflow: WorkflowName): string => {
    const arn = opts.stateMachineArns[workflow];
    if (!arn) throw new ValidationError(`no state machine ARN configured for workflow ${workflow}`);
    return arn;
  };
  return {
    async startExecution({ workflow, name, input }) {
      const out = await client.send(
        new StartExecutionCommand({
          stateMachineArn: arnFor(workflow),
          name,
          input: JSON.stringify(input ?? {}),
        }),
      );
      if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
      return { executionId: out.executionArn };
    },
    async sendTaskSuccess(taskToken, output) {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }));
    },
    async sendTaskFailure(taskToken, error, cause) {
      await client.send(
        new SendTaskFailureCommand({
          taskToken,
          error: error.slice(0, MAX_ERROR),
          cause: cause.slice(0, MAX_CAUSE),
        }),
      );
    },
    async sendTaskHeartbeat(taskToken) {
      await client.send(new SendTaskHeartbeatCommand({ taskToken }));
    },
    async stopExecution(executionId, cause) {
      await client.send(
        new StopExecutionCommand({ executionArn: executionId, cause: cause.slice(0, MAX_CAUSE) }),
      );
    },
    async describeExecution(executionId) {
      try {
        const out = await client.send(new DescribeExecutionCommand({ executionArn: executionId }));
        const status = out.status;
        if (!status || status === 'PENDING_REDRIVE') return { status: 'RUNNING' };
        return {
          status,
          ...(out.output ? { output: JSON.parse(out.output) as unknown } : {}),
          ...(out.error ? { error: out.error } : {}),
        };
      } catch (err) {
        if (err instanceof Error && err.name === 'ExecutionDoesNotExist') return undefined;
        throw err;
      }
    },
  };
}
