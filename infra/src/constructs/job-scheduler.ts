import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type IScheduleGroup, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

export interface JobSchedulerProps {
  /** Name of the schedule group. */
  readonly scheduleGroupName: string;
}

/**
 * The EventBridge Scheduler side of scheduled jobs, maintenance windows and syncs: a schedule group the app
 * writes its one-shot and recurring schedules into, and the role those schedules run as, which can invoke the
 * claim Lambda and nothing else (the claim Lambda starts the state machine after re-checking everything).
 */
export class JobScheduler extends Construct {
  readonly group: IScheduleGroup;
  /** The group's name as a plain string (ARNs built from it need no token resolution). */
  readonly groupName: string;
  /** Passed as the schedules' target role. */
  readonly role: IRole;
  /** Where a schedule's delivery goes after its retries failed (an alarm watches it). */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: JobSchedulerProps) {
    super(scope, id);
    if (!/^[0-9a-zA-Z-_.]{1,64}$/.test(props.scheduleGroupName)) {
      throw new RangeError(`bad scheduleGroupName: ${props.scheduleGroupName}`);
    }
    const stack = Stack.of(this);
    this.groupName = props.scheduleGroupName;
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.scheduleGroupName,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      // Only schedules of this account (confused-deputy protection, as AWS recommends for Scheduler).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'RackOps schedules: invoke the claim Lambda, nothing else',
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetter', {
      // SQS-managed keys: the scheduler role then needs no KMS grant to deliver a dead letter.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Dead letters are evidence for a post-mortem: keep them as long as SQS allows.
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterQueue.grantSendMessages(this.role);
    acknowledgeNag(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      "It is the schedules' dead-letter queue (EventBridge Scheduler's DeadLetterConfig), not a work queue.",
    );
  }

  private target?: IFunction;

  /**
   * Makes the claim-and-start Lambda the one thing schedules may invoke. Separate from the constructor so the
   * functions can receive the role ARN in their environment. Callable once.
   */
  setTarget(claimFunction: IFunction): void {
    if (this.target) throw new Error('JobScheduler target already set');
    this.target = claimFunction;
    // Exactly the function, not `:*`: schedules invoke $LATEST of the claim Lambda.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeClaimOnly',
        actions: ['lambda:InvokeFunction'],
        resources: [claimFunction.functionArn],
      }),
    );
  }

  /** Lets a Lambda create, update and delete schedules in the group and hand them the scheduler role. */
  grantManageSchedules(grantee: IGrantable): void {
    const stack = Stack.of(this);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.groupName}/*`,
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ManageRackOpsSchedules',
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [schedules],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  }

  /**
   * Lets a Lambda list the group's schedules (reconcile finds orphan window schedules). ListSchedules has no
   * resource type, so IAM takes only `*` for it.
   */
  grantListSchedules(grantee: IGrantable, policyScope: Construct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ListSchedules', actions: ['scheduler:ListSchedules'], resources: ['*'] }),
    );
    acknowledgeNag(
      policyScope,
      'AwsSolutions-IAM5[Resource::*]',
      'scheduler:ListSchedules supports no resource-level permission; it reads schedule names only.',
    );
  }

  /** The reason attached to the `schedule/<group>/*` finding on every grantee's policy. */
  acknowledgeScheduleWildcard(policyScope: Construct): void {
    const stack = Stack.of(this);
    acknowledgeNag(
      policyScope,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.groupName}/*]`,
      `Schedules are created at run time (one per scheduled job/window); the wildcard is confined to the ${stack.stackName} schedule group.`,
    );
  }
}
