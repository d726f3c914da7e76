import { type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IStateMachine,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

/** The placeholders core/src/workflows definitions may contain, and nothing else. */
export const WORKFLOW_SUBSTITUTIONS = ['DispatchFunctionArn', 'JobOpsFunctionArn'] as const;

/** Task resources the definitions may use; the state machine role is granted exactly what these need. */
const ALLOWED_TASK_RESOURCES = new Set([
  'arn:aws:states:::lambda:invoke',
  'arn:aws:states:::lambda:invoke.waitForTaskToken',
]);

export interface WorkflowStateMachinesProps {
  /** ASL definitions by workflow name, as built by core/src/workflows `buildWorkflowDefinitions()`. */
  readonly definitions: Readonly<Record<string, object>>;
  /** Substituted for `${DispatchFunctionArn}`: sends device commands to the relay. */
  readonly dispatchFunction: IFunction;
  /** Substituted for `${JobOpsFunctionArn}`: job bookkeeping (steps, logs, pause, finish). */
  readonly jobOpsFunction: IFunction;
  /** State machines are named `<namePrefix>-<workflow>`, so ARNs are known before they exist. */
  readonly namePrefix: string;
  /** How long execution logs are kept. */
  readonly logRetention: RetentionDays;
}

/** Thrown when a definition needs something this construct does not provide. */
export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}

/** Every `Resource` of a Task state, at any depth (Parallel branches, Map item processors). */
function taskResources(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) taskResources(item, out);
  } else if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    if (rec.Type === 'Task' && typeof rec.Resource === 'string') out.add(rec.Resource);
    for (const value of Object.values(rec)) taskResources(value, out);
  }
  return out;
}

/**
 * One Standard state machine per workflow, deployed from the same ASL JSON the local engine runs, with the
 * Lambda ARNs substituted by Step Functions. Logging (ALL, without execution data: inputs can name hosts and
 * VMs but never secrets, still we keep them out of logs) and X-Ray tracing are on.
 */
export class WorkflowStateMachines extends Construct {
  /** By workflow name. */
  readonly stateMachines: ReadonlyMap<string, IStateMachine>;

  constructor(scope: Construct, id: string, props: WorkflowStateMachinesProps) {
    super(scope, id);
    const names = Object.keys(props.definitions).sort();
    if (names.length === 0) throw new UnsupportedDefinitionError('no workflow definitions given');
    const machines = new Map<string, IStateMachine>();

    for (const name of names) {
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new UnsupportedDefinitionError(`bad workflow name: ${name}`);
      const definition = props.definitions[name] as object;
      const body = JSON.stringify(definition);
      for (const [, placeholder] of body.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)) {
        if (!(WORKFLOW_SUBSTITUTIONS as readonly string[]).includes(placeholder as string)) {
          throw new UnsupportedDefinitionError(`${name}: unknown substitution \${${placeholder}}`);
        }
      }
      for (const resource of taskResources(definition)) {
        if (!ALLOWED_TASK_RESOURCES.has(resource)) {
          throw new UnsupportedDefinitionError(`${name}: task resource ${resource} is not granted by infra`);
        }
      }

      const logGroup = new LogGroup(this, `${name}-Logs`, {
        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small with many state machines.
        logGroupName: `/aws/vendedlogs/states/${props.namePrefix}-${name}`,
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new StateMachine(this, name, {
        stateMachineName: `${props.namePrefix}-${name}`,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(body),
        definitionSubstitutions: {
          DispatchFunctionArn: props.dispatchFunction.functionArn,
          JobOpsFunctionArn: props.jobOpsFunction.functionArn,
        },
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      props.dispatchFunction.grantInvoke(machine);
      props.jobOpsFunction.grantInvoke(machine);

      const policy = machine.role.node.tryFindChild('DefaultPolicy');
      if (policy) {
        acknowledgeNag(
          policy,
          'AwsSolutions-IAM5[Resource::*]',
          'Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups...) and ' +
            'X-Ray (PutTraceSegments, GetSamplingRules...) support no resource-level permissions.',
        );
        acknowledgeNag(
          policy,
          `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.dispatchFunction)}.Arn>:*]`,
          'lambda:InvokeFunction on the dispatch function and its versions/aliases (ARN:*), nothing else.',
        );
        acknowledgeNag(
          policy,
          `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.jobOpsFunction)}.Arn>:*]`,
          'lambda:InvokeFunction on the job-ops function and its versions/aliases (ARN:*), nothing else.',
        );
      }
      machines.set(name, machine);
    }
    this.stateMachines = machines;
  }
}

/** The CloudFormation logical id cdk-nag prints in finding ids such as `Resource::<Id.Arn>:*`. */
function logicalIdOf(fn: IFunction): string {
  const child = fn.node.defaultChild;
  if (!child) return fn.node.id;
  return Stack.of(fn).getLogicalId(child as CfnElement);
}
