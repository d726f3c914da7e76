const ARN_PREFIX = 'arn:aws:states:local:000000000000';

/** The ARN a workflow's state machine has on the local engine (what `STATE_MACHINE_ARNS` holds in AWS). */
export const localStateMachineArn = (workflow: string): string => `${ARN_PREFIX}:stateMachine:${workflow}`;

export const localExecutionArn = (workflow: string, name: string): string =>
  `${ARN_PREFIX}:execution:${workflow}:${name}`;

/** The role `$$.Execution.RoleArn` names locally (no IAM here). */
export const LOCAL_ROLE_ARN = `${ARN_PREFIX.replace('states', 'iam')}:role/local`;
