import { Duration } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationalAlarmsProps {
  /** Key encrypting the alarm topic (its policy must let cloudwatch.amazonaws.com use it). */
  readonly topicKey: IKey;
  /** Dead-letter queues by a short name; any message in one is an alarm. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Any failed, timed-out or aborted execution is published to the topic (by an EventBridge rule). */
  readonly stateMachines: ReadonlyMap<string, IStateMachine>;
  /** Lambdas whose errors are alarms. */
  readonly functions: ReadonlyMap<string, IFunction>;
  /** The queue the relay agent heartbeats onto (DESIGN §6): silence on it means the agent is down. */
  readonly resultsQueue: IQueue;
  /**
   * The result Lambda's log group: every relay message it refuses (unsigned, forged, bound to another task) is a
   * log line with `"securityEvent":"relay_message_refused"`, counted and alarmed as `RelayMessagesRefused`.
   */
  readonly resultLogGroup?: ILogGroup;
  /**
   * Minutes without a single message on the results queue before the heartbeat alarm fires.
   * @default 15
   */
  readonly heartbeatMissingMinutes?: number;
  /**
   * E-mail address subscribed to the topic.
   * @default - no subscription; subscribe in the console or by Chatbot
   */
  readonly email?: string;
}

/** CloudWatch alarms and EventBridge rules for what needs a human, all sent to one encrypted SNS topic. */
export class OperationalAlarms extends Construct {
  readonly topic: ITopic;
  readonly alarms: Alarm[] = [];
  /** The rule sending failed, timed-out and aborted executions to the topic (absent without state machines). */
  readonly executionsEndedBadly?: Rule;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const heartbeatMinutes = props.heartbeatMissingMinutes ?? 15;
    if (!Number.isInteger(heartbeatMinutes) || heartbeatMinutes < 5 || heartbeatMinutes % 5 !== 0) {
      throw new RangeError(
        'heartbeatMissingMinutes must be a multiple of 5 (the SQS metric period), at least 5',
      );
    }

    const topic = new Topic(this, 'Topic', {
      displayName: 'RackOps alarms',
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    if (props.email) topic.addSubscription(new EmailSubscription(props.email));
    this.topic = topic;
    const action: IAlarmAction = new SnsAction(topic);

    const add = (alarmId: string, metric: Metric, description: string, missing: TreatMissingData) => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
        alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
      return alarm;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(
        `${name}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        `Messages in the ${name} dead-letter queue: a command or result could not be processed.`,
        TreatMissingData.NOT_BREACHING,
      );
    }

    // Failed, timed-out and aborted executions: one EventBridge rule rather than an alarm per state machine
    // (3 alarm metrics each, $0.10 a month apiece); rules on AWS service events cost nothing, and the message
    // names the execution (job id) where an alarm only says "a count went up".
    const machineArns = [...props.stateMachines.values()].map((m) => m.stateMachineArn);
    if (machineArns.length > 0) {
      const rule = new Rule(this, 'ExecutionsEndedBadly', {
        description: 'RackOps executions that failed, timed out or were aborted: to the alarm topic',
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: machineArns },
        },
      });
      // Not the stock SnsTopic target: it lets events.amazonaws.com publish from any rule (any account, now
      // that rules may target other accounts' topics); this lets only this rule publish.
      const message = RuleTargetInput.fromText(
        `RackOps execution ${EventField.fromPath('$.detail.name')} ${EventField.fromPath('$.detail.status')} ` +
          `(state machine ${EventField.fromPath('$.detail.stateMachineArn')}, ` +
          `execution ${EventField.fromPath('$.detail.executionArn')}): check the job and the hosts it touched.`,
      );
      rule.addTarget({ bind: () => ({ arn: topic.topicArn, input: message }) });
      topic.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ExecutionsEndedBadlyRulePublishes',
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      );
      this.executionsEndedBadly = rule;
    }

    for (const [name, fn] of props.functions) {
      add(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        `The ${name} Lambda threw (see its log group).`,
        TreatMissingData.NOT_BREACHING,
      );
    }

    if (props.resultLogGroup) {
      const refused = new MetricFilter(this, 'RelayMessagesRefusedFilter', {
        logGroup: props.resultLogGroup,
        filterPattern: FilterPattern.stringValue('$.securityEvent', '=', 'relay_message_refused'),
        metricNamespace: 'RackOps',
        metricName: 'RelayMessagesRefused',
        metricValue: '1',
        // No defaultValue: with 0 the filter publishes a datapoint every minute the log has lines, and a custom
        // metric is billed ($0.30 a month) for every hour it gets one. Without it the metric only exists in the
        // hours something was refused; the alarm reads missing data as "none refused", so it fires the same.
      });
      add(
        'RelayMessagesRefused',
        refused.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
        'The result Lambda refused a message on the results queue (unsigned, unknown key, forged, or bound to ' +
          'another task): someone other than the relay agent can send to it, or the keys disagree after a rotation.',
        TreatMissingData.NOT_BREACHING,
      );
    }

    // The agent sends a heartbeat every few seconds, so the results queue is never quiet while it runs. SQS
    // publishes no datapoint for an idle queue: missing data is a breach here.
    const heartbeat = new Alarm(this, 'RelayAgentHeartbeatMissing', {
      metric: props.resultsQueue.metricNumberOfMessagesSent({
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: heartbeatMinutes / 5,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: `No message from the relay agent for ${heartbeatMinutes} minutes: the agent is down or cannot reach SQS.`,
    });
    heartbeat.addAlarmAction(action);
    heartbeat.addOkAction(action);
    this.alarms.push(heartbeat);
  }
}
