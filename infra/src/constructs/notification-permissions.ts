import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { HandlerFunction } from './handler-function';

export interface NotificationGrants {
  /**
   * Functions that deliver notifications beyond Teams (grant `notify` in the function list). Their bot secret
   * read, for Teams itself, is their grant `botSecret`.
   */
  senders: readonly HandlerFunction[];
  dataKey: IKey;
  alarmTopic: ITopic;
  webhooks?: ISecret;
  emailFrom?: string;
}

/** The metric the pipeline writes (embedded metric format) for each dead-lettered delivery; the same names as
 * lambdas/src/notifications/aws-notifier.ts (infra does not import the handlers). */
export const DEAD_LETTER_METRIC = { namespace: 'RackOps', name: 'NotificationDeadLetters' } as const;

/**
 * Exactly what delivering beyond Teams needs: the webhook secret, readable with KMS decrypt through Secrets
 * Manager only; SES SendEmail from the one sender identity (the address and its domain: either may be the
 * verified identity). Plus the alarm on dead letters.
 */
export function grantNotifications(scope: Construct, g: NotificationGrants): Alarm {
  const stack = Stack.of(scope);
  for (const f of g.senders) {
    if (g.webhooks) f.allowSecretRead(g.webhooks, g.dataKey);
    if (g.emailFrom) {
      const domain = g.emailFrom.split('@')[1] ?? g.emailFrom;
      f.role.addToPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [g.emailFrom, domain].map((identity) =>
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
          ),
        }),
      );
    }
  }
  const alarm = new Alarm(scope, 'NotificationDeadLetters', {
    metric: new Metric({
      namespace: DEAD_LETTER_METRIC.namespace,
      metricName: DEAD_LETTER_METRIC.name,
      statistic: 'Sum',
      period: Duration.minutes(5),
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription:
      'A notification could not be delivered after its retries (dead letter): see `notify log` and the ' +
      'notification-dead records.',
  });
  alarm.addAlarmAction(new SnsAction(g.alarmTopic));
  return alarm;
}
