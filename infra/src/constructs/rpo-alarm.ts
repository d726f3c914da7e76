import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * The metric the claim function writes at every protection-group tick (embedded metric format: 1 when the
 * group is past its RPO, else 0); the same names as lambdas/src/handlers/rpo-metric.ts (infra does not
 * import the handlers).
 */
export const RPO_METRIC = { namespace: 'RackOps', name: 'ProtectionGroupPastRpo' } as const;

/** Alarms while any protection group is past its RPO (the chat is told once per breach; this stays red). */
export function rpoAlarm(scope: Construct, topic: ITopic): Alarm {
  const alarm = new Alarm(scope, 'ProtectionGroupPastRpo', {
    metric: new Metric({
      namespace: RPO_METRIC.namespace,
      metricName: RPO_METRIC.name,
      statistic: 'Maximum',
      period: Duration.minutes(5),
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // No ticks (no groups, or all paused): nothing is past its RPO.
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription:
      'A ZFS protection group is past its RPO: `protection groups` in chat shows which, the last replication job why.',
  });
  alarm.addAlarmAction(new SnsAction(topic));
  return alarm;
}
