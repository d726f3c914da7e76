import { RackOpsError } from '@rackops/core/util/errors';

/**
 * Errors the local engine raises from its API. Their `name`s mirror the AWS Step Functions exceptions
 * (TaskDoesNotExist, InvalidToken, ExecutionAlreadyExists...) so callers such as the result handler treat
 * the local engine and the AWS SDK alike by checking `err.name`.
 */
export class EngineApiError extends RackOpsError {
  constructor(awsName: string, message: string) {
    super(awsName, message);
    this.name = awsName;
  }
}

/** The token was never issued, or its task already finished (succeeded, failed, timed out, execution gone). */
export const taskDoesNotExist = (token: string) =>
  new EngineApiError('TaskDoesNotExist', `no task waits for token ${token.slice(0, 24)}…`);

/** The token's task timed out (TimeoutSeconds or HeartbeatSeconds): AWS tells this case apart. */
export const taskTimedOut = (token: string) =>
  new EngineApiError('TaskTimedOut', `the task for token ${token.slice(0, 24)}… timed out`);

export const invalidToken = (token: string) =>
  new EngineApiError('InvalidToken', `malformed task token ${token.slice(0, 24)}…`);

export const executionDoesNotExist = (id: string) =>
  new EngineApiError('ExecutionDoesNotExist', `execution ${id} does not exist`);

export const executionAlreadyExists = (id: string) =>
  new EngineApiError(
    'ExecutionAlreadyExists',
    `execution ${id} already exists with another input or has ended`,
  );

export const stateMachineDoesNotExist = (name: string) =>
  new EngineApiError('StateMachineDoesNotExist', `no workflow definition named ${name}`);

/**
 * An error a Task state fails with, as the ASL's Retry/Catch see it: `name` is the ASL `Error`
 * (e.g. `States.HeartbeatTimeout`, or the code given to SendTaskFailure) and `message` the `Cause`.
 */
export class TaskFailedError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}
