import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { Scheduler, ScheduleTarget } from '@rackops/core/ports/scheduler.port';
import { ValidationError } from '@rackops/core/util/errors';

export interface EventBridgeSchedulerOptions {
  readonly client: SchedulerClient;
  /** The schedule group (env SCHEDULE_GROUP_NAME). */
  readonly groupName: string;
  /** The claim Lambda every schedule invokes (env CLAIM_FUNCTION_ARN). */
  readonly targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it (env SCHEDULER_ROLE_ARN). */
  readonly roleArn: string;
  /** Where a delivery that still fails after the retries goes (env SCHEDULES_DLQ_ARN). */
  readonly deadLetterArn?: string;
}

/** EventBridge wants `at(yyyy-mm-ddThh:mm:ss)`: no zone suffix (the zone is a separate field), no fraction. */
export function atExpression(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`"${at}" is not a time`);
  return `at(${d.toISOString().slice(0, 19)})`;
}

export function rateExpression(everyMinutes: number): string {
  if (!Number.isInteger(everyMinutes) || everyMinutes < 1) {
    throw new ValidationError(`a schedule interval must be a whole number of minutes, not ${everyMinutes}`);
  }
  return `rate(${everyMinutes} ${everyMinutes === 1 ? 'minute' : 'minutes'})`;
}

/** Schedule names: 1-64 of [0-9a-zA-Z-_.]. Ours are `job-<ULID>`, `window-<id>`, `sync-<source>-<id>`. */
export function scheduleNameFor(name: string): string {
  const safe = name.replace(/[^0-9a-zA-Z\-_.]/g, '_');
  if (!safe || safe.length > 64) throw new ValidationError(`schedule name "${name}" must be 1-64 characters`);
  return safe;
}

/** The Scheduler port on EventBridge Scheduler: every schedule targets the claim Lambda with the target as input. */
export function createEventBridgeScheduler(opts: EventBridgeSchedulerOptions): Scheduler {
  const put = async (name: string, expression: string, target: ScheduleTarget, oneShot: boolean) => {
    const input: CreateScheduleCommandInput = {
      Name: scheduleNameFor(name),
      GroupName: opts.groupName,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: opts.targetArn,
        RoleArn: opts.roleArn,
        Input: JSON.stringify(target),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        ...(opts.deadLetterArn ? { DeadLetterConfig: { Arn: opts.deadLetterArn } } : {}),
      },
      ...(oneShot ? { ActionAfterCompletion: 'DELETE' as const } : {}),
    };
    try {
      await opts.client.send(new CreateScheduleCommand(input));
    } catch (err) {
      // "Creating the same name twice replaces it" (the port's contract).
      if (!(err instanceof ConflictException)) throw err;
      await opts.client.send(new UpdateScheduleCommand(input));
    }
  };
  return {
    scheduleAt: ({ name, at, target }) => put(name, atExpression(at), target, true),
    scheduleEvery: ({ name, everyMinutes, target }) => put(name, rateExpression(everyMinutes), target, false),
    async cancel(name) {
      try {
        await opts.client.send(
          new DeleteScheduleCommand({ Name: scheduleNameFor(name), GroupName: opts.groupName }),
        );
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    },
    async names(prefix) {
      const out: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await opts.client.send(
          new ListSchedulesCommand({ GroupName: opts.groupName, NamePrefix: prefix, NextToken }),
        );
        for (const s of page.Schedules ?? []) if (s.Name) out.push(s.Name);
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    },
  };
}
