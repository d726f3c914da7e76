import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaFunctionTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { BotEndpoint } from './constructs/bot-endpoint';
import { DeployReconcile } from './constructs/deploy-reconcile';
import { HandlerFunction } from './constructs/handler-function';
import { JobScheduler } from './constructs/job-scheduler';
import { grantNotifications } from './constructs/notification-permissions';
import { OperationalAlarms } from './constructs/operational-alarms';
import { rpoAlarm } from './constructs/rpo-alarm';
import { WorkflowStateMachines } from './constructs/workflow-state-machines';
import type { HandlerSource } from './handlers';
import { acknowledgeNag } from './nag';

export interface StatelessStackProps extends StackProps {
  /** Prefix of physical names: functions `<prefix>-<handler>`, state machines `<prefix>-<workflow>`. */
  readonly namePrefix: string;
  readonly table: ITable;
  readonly commandsQueue: IQueue;
  readonly commandsDeadLetterQueue: IQueue;
  readonly resultsQueue: IQueue;
  readonly resultsDeadLetterQueue: IQueue;
  /** Encrypts the queues; also the alarm topic. */
  readonly messagingKey: IKey;
  /** Encrypts the table and the secrets. */
  readonly dataKey: IKey;
  readonly botCredentials: ISecret;
  readonly relaySigningKey: ISecret;
  /** ASL by workflow name (core/src/workflows `buildWorkflowDefinitions()`). */
  readonly workflowDefinitions: Readonly<Record<string, object>>;
  /** The handler files to deploy (see handlers.ts `discoverHandlers`). */
  readonly handlers: readonly HandlerSource[];
  /** The Teams (Entra) app id of the bot. */
  readonly teamsAppId: string;
  /** Cluster ids whose changes need a second person's approval. */
  readonly productionClusters: readonly string[];
  readonly logRetention: RetentionDays;
  /**
   * Bundle handlers with esbuild; false deploys stub code (tests).
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * E-mail for alarms.
   * @default - none
   */
  readonly alarmEmail?: string;
  /**
   * @default 15
   */
  readonly heartbeatMissingMinutes?: number;
  /**
   * Dell catalog location for job-ops (CATALOG_URL).
   * @default - unset: the handler's default
   */
  readonly catalogUrl?: string;
  /** Recurring inventory syncs the reconcile Lambda keeps (INVENTORY_SCHEDULES). @default none */
  readonly inventorySchedules?: { everyMinutes: number; vcenters: string[]; omes: string[] };
  /**
   * Teams Workflows webhook URLs for channel notifications.
   * @default - no channel messages
   */
  readonly notifyWebhooks?: ISecret;
  /**
   * SES sender of notification e-mail.
   * @default - no e-mail
   */
  readonly notifyEmailFrom?: string;
}

/** Thrown when a handler the stack cannot run without is missing. */
export class MissingHandlerError extends Error {
  override readonly name = 'MissingHandlerError';
}

/**
 * Handlers the workflows cannot run without. The bot (and any inventory-* handler) is deployed when its file
 * exists; without it the stack has no bot endpoint, which `bot` in `StatelessStack.botEndpoint` reports.
 */
export const REQUIRED_HANDLERS = ['dispatch', 'result', 'claim', 'job-ops'] as const;

/**
 * Handler-specific settings. Handlers not listed (e.g. future inventory-*) get the defaults and the table only.
 * Timeouts: the bot must answer Teams within 15 s; the result Lambda's timeout bounds the results queue's
 * visibility timeout (6x, see StatefulStack).
 */
const PROFILES: Readonly<Record<string, { timeout: Duration; memorySize: number; description: string }>> = {
  bot: {
    timeout: Duration.seconds(15),
    memorySize: 1024,
    description: 'Teams bot: commands, cards, approvals',
  },
  dispatch: { timeout: Duration.seconds(20), memorySize: 512, description: 'Signs and sends relay commands' },
  result: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    description: 'Records relay results, answers tasks',
  },
  claim: {
    timeout: Duration.seconds(30),
    memorySize: 512,
    description: 'Claims due jobs and starts workflows',
  },
  'job-ops': {
    timeout: Duration.seconds(30),
    memorySize: 512,
    description: 'Workflow bookkeeping: steps, pause',
  },
};

/**
 * Code and orchestration, replaceable at any time: the Lambdas, the bot endpoint, the state machines, the
 * scheduler group and role, and the alarms. Everything stateful comes in through props as interfaces.
 */
export class StatelessStack extends Stack {
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly stateMachines: ReadonlyMap<string, IStateMachine>;
  readonly scheduler: JobScheduler;
  readonly alarms: OperationalAlarms;
  /** Undefined when lambdas/src/handlers/bot.handler.ts does not exist (yet). */
  readonly botEndpoint: BotEndpoint | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const prefix = props.namePrefix;
    const byName = new Map(props.handlers.map((h) => [h.name, h]));
    for (const required of REQUIRED_HANDLERS) {
      if (!byName.has(required)) {
        throw new MissingHandlerError(`the stack needs lambdas/src/handlers/${required}.handler.ts`);
      }
    }

    const functionName = (handler: string) => `${prefix}-${handler}`;
    const functionArn = (handler: string) =>
      this.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: functionName(handler),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const workflowNames = Object.keys(props.workflowDefinitions).sort();
    const stateMachineArn = (workflow: string) =>
      this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: `${prefix}-${workflow}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const scheduleGroupName = `${prefix}-schedules`;
    const inventorySchedules = props.inventorySchedules ?? { everyMinutes: 60, vcenters: [], omes: [] };

    this.scheduler = new JobScheduler(this, 'Scheduler', { scheduleGroupName });

    // Names, not references, so that no function depends on a state machine that depends on it.
    const environment: Record<string, string> = {
      RACKOPS_PREFIX: prefix,
      TABLE_NAME: props.table.tableName,
      COMMANDS_QUEUE_URL: props.commandsQueue.queueUrl,
      RESULTS_QUEUE_URL: props.resultsQueue.queueUrl,
      // Read by the bot's `health` (queue depths); nothing sends to them but SQS's redrive.
      COMMANDS_DLQ_URL: props.commandsDeadLetterQueue.queueUrl,
      RESULTS_DLQ_URL: props.resultsDeadLetterQueue.queueUrl,
      STATE_MACHINE_ARNS: this.toJsonString(
        Object.fromEntries(workflowNames.map((w) => [w, stateMachineArn(w)])),
      ),
      SCHEDULE_GROUP_NAME: scheduleGroupName,
      SCHEDULER_ROLE_ARN: this.scheduler.role.roleArn,
      CLAIM_FUNCTION_ARN: functionArn('claim'),
      SCHEDULES_DLQ_ARN: this.scheduler.deadLetterQueue.queueArn,
      TEAMS_APP_ID: props.teamsAppId,
      PRODUCTION_CLUSTERS: JSON.stringify(props.productionClusters),
      BOT_SECRET_ARN: props.botCredentials.secretArn,
      RELAY_SIGNING_KEY_SECRET_ARN: props.relaySigningKey.secretArn,
      LOG_LEVEL: 'info',
      ...(props.catalogUrl ? { CATALOG_URL: props.catalogUrl } : {}),
      INVENTORY_SCHEDULES: JSON.stringify(inventorySchedules),
      ...(props.notifyWebhooks ? { NOTIFY_WEBHOOKS_SECRET_ARN: props.notifyWebhooks.secretArn } : {}),
      ...(props.notifyEmailFrom ? { NOTIFY_EMAIL_FROM: props.notifyEmailFrom } : {}),
    };

    const functions = new Map<string, HandlerFunction>();
    for (const source of props.handlers) {
      const profile = PROFILES[source.name];
      functions.set(
        source.name,
        new HandlerFunction(this, `${pascal(source.name)}Handler`, {
          source,
          functionName: functionName(source.name),
          bundle: props.bundle ?? true,
          environment,
          logRetention: props.logRetention,
          ...(profile ?? {}),
        }),
      );
    }
    const fn = (name: string): HandlerFunction => {
      const found = functions.get(name);
      if (!found) throw new MissingHandlerError(name);
      return found;
    };
    const bot = functions.get('bot');
    const dispatch = fn('dispatch');
    const result = fn('result');
    const claim = fn('claim');
    const jobOps = fn('job-ops');

    // The table: everyone reads and writes it (the Store is the only state; DESIGN §4).
    for (const f of functions.values()) f.allowTableReadWrite(props.table, props.dataKey);

    // Scheduler: schedules invoke only the claim Lambda.
    this.scheduler.setTarget(claim.function);

    // Step Functions.
    const workflows = new WorkflowStateMachines(this, 'Workflows', {
      definitions: props.workflowDefinitions,
      dispatchFunction: dispatch.function,
      jobOpsFunction: jobOps.function,
      namePrefix: prefix,
      logRetention: props.logRetention,
    });
    this.stateMachines = workflows.stateMachines;
    const machineArns = workflowNames.map(stateMachineArn);
    const executionArns = workflowNames.map((w) =>
      this.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${prefix}-${w}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const startExecutions = new PolicyStatement({
      sid: 'StartRackOpsWorkflows',
      actions: ['states:StartExecution'],
      resources: machineArns,
    });
    const watchExecutions = new PolicyStatement({
      sid: 'WatchRackOpsExecutions',
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: executionArns,
    });
    const answerTasks = new PolicyStatement({
      sid: 'AnswerRackOpsTasks',
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: machineArns,
    });

    // bot: credentials, start/resume/cancel jobs, schedules.
    if (bot) {
      bot.allowSecretRead(props.botCredentials, props.dataKey);
      bot.role.addToPolicy(startExecutions);
      bot.role.addToPolicy(watchExecutions);
      bot.role.addToPolicy(answerTasks);
      this.scheduler.grantManageSchedules(bot.function);
      bot.allowQueueDepthRead(
        [props.commandsQueue, props.resultsQueue],
        [props.commandsDeadLetterQueue, props.resultsDeadLetterQueue],
        props.messagingKey,
      );
      const endpoint = new BotEndpoint(this, 'BotEndpoint', { botFunction: bot.function });
      this.botEndpoint = endpoint;
      new CfnOutput(this, 'BotMessagingEndpoint', {
        value: endpoint.messagingEndpoint,
        description: 'Messaging endpoint of the Azure Bot resource',
      });
    }
    // dispatch: sign with the relay key, send to the commands queue.
    dispatch.allowSecretRead(props.relaySigningKey, props.dataKey);
    dispatch.allowQueueSend(props.commandsQueue, props.messagingKey);
    // result: verify the agent's signatures with the same keys.
    result.allowSecretRead(props.relaySigningKey, props.dataKey);
    result.function.addEventSource(
      new SqsEventSource(props.resultsQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    result.role.addToPolicy(answerTasks);
    claim.role.addToPolicy(startExecutions);
    claim.role.addToPolicy(watchExecutions);
    this.scheduler.grantManageSchedules(claim.function);
    jobOps.role.addToPolicy(watchExecutions);

    // execution-status (when present): the safety net that fails a job whose execution ended without
    // finishing it. Step Functions reports every status change of our state machines on the default bus.
    const executionStatus = functions.get('execution-status');
    if (executionStatus) {
      new Rule(this, 'ExecutionEndedRule', {
        description: 'RackOps executions that ended: fail jobs their workflow left unfinished',
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: machineArns },
        },
        targets: [
          new LambdaFunctionTarget(executionStatus.function, {
            retryAttempts: 8,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    }

    // reconcile (when present): the deploy-time and daily counterpart of what `npm start` does at boot.
    const reconcile = functions.get('reconcile');
    if (reconcile) {
      new DeployReconcile(this, 'Reconcile', { reconcile, scheduler: this.scheduler, inventorySchedules });
    }

    this.alarms = new OperationalAlarms(this, 'Alarms', {
      topicKey: props.messagingKey,
      deadLetterQueues: {
        Commands: props.commandsDeadLetterQueue,
        Results: props.resultsDeadLetterQueue,
        Schedules: this.scheduler.deadLetterQueue,
      },
      stateMachines: workflows.stateMachines,
      functions: new Map([...functions].map(([name, f]) => [name, f.function])),
      resultsQueue: props.resultsQueue,
      resultLogGroup: result.logGroup,
      ...(props.heartbeatMissingMinutes ? { heartbeatMissingMinutes: props.heartbeatMissingMinutes } : {}),
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    });

    rpoAlarm(this, this.alarms.topic);

    // Notifications: the functions that raise events deliver them (conversation, channel, e-mail).
    grantNotifications(this, {
      // claim: an RPO breach found at a protection group's tick, a window skipped when it fires.
      senders: [bot, jobOps, result, claim, functions.get('execution-status')].filter(
        (f): f is HandlerFunction => !!f,
      ),
      ...(bot ? { bot } : {}),
      botCredentials: props.botCredentials,
      dataKey: props.dataKey,
      alarmTopic: this.alarms.topic,
      ...(props.notifyWebhooks ? { webhooks: props.notifyWebhooks } : {}),
      ...(props.notifyEmailFrom ? { emailFrom: props.notifyEmailFrom } : {}),
    });

    this.functions = new Map([...functions].map(([name, f]) => [name, f.function]));
    const withSchedules = bot ? [bot, claim] : [claim];
    for (const f of withSchedules) this.scheduler.acknowledgeScheduleWildcard(f.role);
    for (const f of [...withSchedules, jobOps]) {
      for (const w of workflowNames) {
        acknowledgeNag(
          f.role,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${prefix}-${w}:*]`,
          `Describe/stop executions of the ${prefix}-${w} state machine; execution names are job ids, known only at run time.`,
        );
      }
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'ScheduleGroupName', { value: scheduleGroupName });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
