import type { Notifier } from '@rackops/core/ports/notifier.port';
import type { Store } from '@rackops/core/ports/store.port';
import { failJobOfEndedExecution } from '@rackops/core/usecases/start-job';
import { parseOrThrow, withValidationErrors } from '@rackops/core/util/zod-errors';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import { awsNotifications } from '../notifications/aws-notifier';
import type { Platform } from '../composition/platform';
import { lambdaEntry } from '../composition/lambda';

/** The EventBridge "Step Functions Execution Status Change" event (the fields this handler reads). */
export const ExecutionStatusChange = z.object({
  source: z.literal('aws.states'),
  detail: z.object({
    executionArn: z.string(),
    name: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

export interface ExecutionStatusDeps {
  store: Store;
  notifier?: Notifier;
  logger?: Logger;
}

/**
 * Safety net for jobs whose execution ended without finishing them (an uncaught error, a stop, a timeout):
 * the job is failed with the reason instead of staying "running" forever. Locally the stack does the same
 * from the engine's end-of-execution hook. Infra: an EventBridge rule on source aws.states, detail-type
 * "Step Functions Execution Status Change", status FAILED | TIMED_OUT | ABORTED | SUCCEEDED, for RackOps'
 * state machines, targeting this function.
 */
export function createExecutionStatusHandler(deps: ExecutionStatusDeps) {
  const log = deps.logger ?? pino({ level: 'silent' });
  return withValidationErrors(
    'execution status event',
    async (event: unknown): Promise<{ failedJob?: string }> => {
      const { detail } = parseOrThrow(ExecutionStatusChange, event, 'execution status event');
      if (detail.status === 'RUNNING' || detail.status === 'PENDING_REDRIVE') return {};
      const failed = await failJobOfEndedExecution(
        { store: deps.store },
        {
          name: detail.name,
          executionId: detail.executionArn,
          status: detail.status,
          ...(detail.error ? { error: detail.error } : {}),
          ...(detail.cause ? { cause: detail.cause } : {}),
        },
      );
      if (!failed) return {};
      log.warn(
        { jobId: failed.id, status: detail.status },
        'job failed: its execution ended without finishing it',
      );
      await deps.notifier?.notify({ kind: 'job_failed', jobId: failed.id, error: failed.error ?? '' });
      return { failedJob: failed.id };
    },
  );
}

/** The execution-status function from the platform (locally the engine's end-of-execution hook calls it). */
export const executionStatusFromPlatform = (p: Platform) =>
  createExecutionStatusHandler({
    store: p.store,
    notifier: p.notifier,
    logger: p.logger.child({ fn: 'execution-status' }),
  });

/** AWS entry point: target of the execution-status EventBridge rule. */
export default lambdaEntry(executionStatusFromPlatform, { notifications: awsNotifications });
