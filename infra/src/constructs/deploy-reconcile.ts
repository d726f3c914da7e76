import { CfnOutput, CustomResource, Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaFunctionTarget } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { HandlerFunction } from './handler-function';

export interface DeployReconcileProps {
  /** The reconcile Lambda (lambdas/src/handlers/reconcile.handler.ts). */
  readonly reconcile: HandlerFunction;
  /** The config the Lambda reads from INVENTORY_SCHEDULES: a change of it re-runs the custom resource. */
  readonly inventorySchedules: unknown;
}

/** The custom resource type, for tests and runbooks. */
export const RECONCILE_RESOURCE_TYPE = 'Custom::RackOpsReconcile';

/**
 * What `npm start` does at boot, done in AWS too: the reconcile Lambda runs on every deploy (a custom resource
 * whose service token is the Lambda itself, so no provider framework Lambda is added) and once a day (an
 * EventBridge rule), creating the recurring inventory schedules. The Lambda answers CloudFormation itself,
 * FAILED with the reason when it cannot reconcile, so a bad config fails the deploy instead of hanging it.
 */
export class DeployReconcile extends Construct {
  readonly resource: CustomResource;
  readonly dailyRule: Rule;

  constructor(scope: Construct, id: string, props: DeployReconcileProps) {
    super(scope, id);
    const fn = props.reconcile;
    // Its grants (schedules, pass role, list) come from its entry in the function list (function-access.ts).
    this.resource = new CustomResource(this, 'OnDeploy', {
      serviceToken: fn.function.functionArn,
      resourceType: RECONCILE_RESOURCE_TYPE,
      properties: { InventorySchedules: JSON.stringify(props.inventorySchedules) },
    });
    // Its permissions (schedules, pass role) exist before CloudFormation invokes it.
    this.resource.node.addDependency(fn.role);
    this.dailyRule = new Rule(this, 'Daily', {
      description: 'RackOps: re-create the deployment schedules (inventory syncs, windows) once a day',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunctionTarget(fn.function, { retryAttempts: 2 })],
    });
    new CfnOutput(scope, 'ReconciledInventorySchedules', {
      value: this.resource.getAttString('InventorySchedules'),
      description: 'Recurring inventory schedules the reconcile Lambda put in place at this deploy',
    });
  }
}
