import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Grant } from '@rackops/lambdas/composition/functions';
import type { SettingName } from '@rackops/lambdas/composition/settings';
import type { HandlerFunction } from './constructs/handler-function';
import type { JobScheduler } from './constructs/job-scheduler';
import { acknowledgeNag } from './nag';

/**
 * The value of every setting infra can set (undefined: not configured, so never set). A `Record` over
 * SettingName: a setting added to the schema does not compile here until infra says where its value comes from.
 */
export type SettingValues = Readonly<Record<SettingName, string | undefined>>;

/** A function's environment: the settings its list entry names, those configured. */
export function environmentOf(
  settings: readonly SettingName[],
  values: SettingValues,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of settings) {
    const value = values[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** What the grants refer to. */
export interface GrantTargets {
  readonly table: ITable;
  readonly dataKey: IKey;
  readonly messagingKey: IKey;
  readonly botCredentials: ISecret;
  readonly relaySigningKey: ISecret;
  readonly commandsQueue: IQueue;
  readonly commandsDeadLetterQueue: IQueue;
  readonly resultsQueue: IQueue;
  readonly resultsDeadLetterQueue: IQueue;
  readonly scheduler: JobScheduler;
  /** `<prefix>-<workflow>` for each state machine. */
  readonly stateMachineNames: readonly string[];
}

/**
 * Gives one function exactly the grants its list entry names. `notify` (webhooks secret, SES) is applied by
 * grantNotifications, which owns the notification settings.
 */
export function applyGrants(fn: HandlerFunction, grants: readonly Grant[], t: GrantTargets): void {
  const stack = Stack.of(fn);
  const arns = (resource: 'stateMachine' | 'execution') =>
    t.stateMachineNames.map((name) =>
      stack.formatArn({
        service: 'states',
        resource,
        resourceName: resource === 'execution' ? `${name}:*` : name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
  for (const grant of new Set(grants)) {
    switch (grant) {
      case 'table':
        fn.allowTableReadWrite(t.table, t.dataKey);
        break;
      case 'botSecret':
        fn.allowSecretRead(t.botCredentials, t.dataKey);
        break;
      case 'relayKey':
        fn.allowSecretRead(t.relaySigningKey, t.dataKey);
        break;
      case 'sendCommands':
        fn.allowQueueSend(t.commandsQueue, t.messagingKey);
        break;
      case 'consumeResults':
        fn.function.addEventSource(
          new SqsEventSource(t.resultsQueue, { batchSize: 10, reportBatchItemFailures: true }),
        );
        break;
      case 'queueDepths':
        fn.allowQueueDepthRead(
          [t.commandsQueue, t.resultsQueue],
          [t.commandsDeadLetterQueue, t.resultsDeadLetterQueue],
          t.messagingKey,
        );
        break;
      case 'startWorkflows':
        fn.role.addToPolicy(
          new PolicyStatement({
            sid: 'StartRackOpsWorkflows',
            actions: ['states:StartExecution'],
            resources: arns('stateMachine'),
          }),
        );
        break;
      case 'watchExecutions':
        fn.role.addToPolicy(
          new PolicyStatement({
            sid: 'WatchRackOpsExecutions',
            actions: ['states:DescribeExecution', 'states:StopExecution'],
            resources: arns('execution'),
          }),
        );
        for (const name of t.stateMachineNames) {
          acknowledgeNag(
            fn.role,
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
            `Describe/stop executions of the ${name} state machine; execution names are job ids, known only at run time.`,
          );
        }
        break;
      case 'answerTasks':
        fn.role.addToPolicy(
          new PolicyStatement({
            sid: 'AnswerRackOpsTasks',
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
            resources: arns('stateMachine'),
          }),
        );
        break;
      case 'manageSchedules':
        t.scheduler.grantManageSchedules(fn.function);
        t.scheduler.acknowledgeScheduleWildcard(fn.role);
        break;
      case 'listSchedules':
        t.scheduler.grantListSchedules(fn.function, fn.role);
        break;
      case 'notify':
        break;
    }
  }
}
