import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaFunctionTarget } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
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
import { applyGrants, environmentOf, type GrantTargets, type SettingValues } from './function-access';
import { lambdaFunctions } from './handlers';

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

/**
 * Code and orchestration, replaceable at any time: the Lambdas, the bot endpoint, the state machines, the
 * scheduler group and role, and the alarms. Everything stateful comes in through props as interfaces.
 */
export class StatelessStack extends Stack {
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly stateMachines: ReadonlyMap<string, IStateMachine>;
  readonly scheduler: JobScheduler;
  readonly alarms: OperationalAlarms;
  readonly botEndpoint: BotEndpoint;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const prefix = props.namePrefix;

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
    const settings: SettingValues = {
      TABLE_NAME: props.table.tableName,
      LOG_LEVEL: 'info',
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
      CATALOG_URL: props.catalogUrl,
      INVENTORY_SCHEDULES: JSON.stringify(inventorySchedules),
      NOTIFY_WEBHOOKS_SECRET_ARN: props.notifyWebhooks?.secretArn,
      NOTIFY_EMAIL_FROM: props.notifyEmailFrom,
      // The local stack's switch; in AWS the claim function's default (on).
      HEALTH_READS: undefined,
      // Unset in AWS: the result function's default drop threshold (20 %, core/src/inventory/drop-guard.ts).
      INVENTORY_DROP_THRESHOLD_PCT: undefined,
    };
    const grantTargets: GrantTargets = {
      table: props.table,
      dataKey: props.dataKey,
      messagingKey: props.messagingKey,
      botCredentials: props.botCredentials,
      relaySigningKey: props.relaySigningKey,
      commandsQueue: props.commandsQueue,
      commandsDeadLetterQueue: props.commandsDeadLetterQueue,
      resultsQueue: props.resultsQueue,
      resultsDeadLetterQueue: props.resultsDeadLetterQueue,
      scheduler: this.scheduler,
      stateMachineNames: workflowNames.map((w) => `${prefix}-${w}`),
    };

    // Exactly the functions of the list (lambdas/src/composition/functions.ts), each given only the settings
    // and grants its entry names.
    const functions = new Map<string, HandlerFunction>();
    for (const source of lambdaFunctions()) {
      const f = new HandlerFunction(this, `${pascal(source.name)}Handler`, {
        source,
        functionName: functionName(source.name),
        bundle: props.bundle ?? true,
        environment: environmentOf(source.settings, settings),
        logRetention: props.logRetention,
        timeout: Duration.seconds(source.timeoutSeconds),
        memorySize: source.memoryMb,
        description: source.description,
      });
      applyGrants(f, source.grants, grantTargets);
      functions.set(source.name, f);
    }
    const fn = (name: string): HandlerFunction => {
      const found = functions.get(name);
      if (!found) throw new Error(`the function list has no ${name} (lambdas/src/composition/functions.ts)`);
      return found;
    };
    const bot = fn('bot');
    const dispatch = fn('dispatch');
    const result = fn('result');
    const claim = fn('claim');
    const jobOps = fn('job-ops');

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

    const endpoint = new BotEndpoint(this, 'BotEndpoint', { botFunction: bot.function });
    this.botEndpoint = endpoint;
    new CfnOutput(this, 'BotMessagingEndpoint', {
      value: endpoint.messagingEndpoint,
      description: 'Messaging endpoint of the Azure Bot resource',
    });

    // execution-status: the safety net that fails a job whose execution ended without finishing it. Step
    // Functions reports every status change of our state machines on the default bus.
    new Rule(this, 'ExecutionEndedRule', {
      description: 'RackOps executions that ended: fail jobs their workflow left unfinished',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: machineArns },
      },
      targets: [
        new LambdaFunctionTarget(fn('execution-status').function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    // reconcile: the deploy-time and daily counterpart of what `npm start` does at boot.
    new DeployReconcile(this, 'Reconcile', { reconcile: fn('reconcile'), inventorySchedules });

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
      senders: lambdaFunctions()
        .filter((source) => source.grants.includes('notify'))
        .map((source) => fn(source.name)),
      alarmTopic: this.alarms.topic,
      dataKey: props.dataKey,
      ...(props.notifyWebhooks ? { webhooks: props.notifyWebhooks } : {}),
      ...(props.notifyEmailFrom ? { emailFrom: props.notifyEmailFrom } : {}),
    });

    this.functions = new Map([...functions].map(([name, f]) => [name, f.function]));
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'ScheduleGroupName', { value: scheduleGroupName });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
