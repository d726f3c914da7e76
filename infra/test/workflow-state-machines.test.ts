import { App, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { UnsupportedDefinitionError, WorkflowStateMachines } from '../src/constructs/workflow-state-machines';

function build(definition: object) {
  const stack = new Stack(new App(), 'T');
  const fn = (id: string) =>
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.h',
      code: Code.fromInline('x'),
    });
  return () =>
    new WorkflowStateMachines(stack, 'W', {
      definitions: { demo: definition },
      dispatchFunction: fn('D'),
      jobOpsFunction: fn('J'),
      namePrefix: 'rackops',
      logRetention: RetentionDays.ONE_WEEK,
    });
}

/** `${Name}`, the definition-substitution syntax (spelled out so it is not read as a template literal). */
const placeholder = (name: string) => ['$', '{', name, '}'].join('');

const task = (Resource: string, FunctionName = placeholder('DispatchFunctionArn')) => ({
  StartAt: 'A',
  States: { A: { Type: 'Task', Resource, Parameters: { FunctionName }, End: true } },
});

describe('WorkflowStateMachines', () => {
  it('accepts Lambda invoke tasks on the two substituted functions', () => {
    expect(build(task('arn:aws:states:::lambda:invoke.waitForTaskToken'))).not.toThrow();
  });

  it('refuses a task resource the state machine role is not granted (nested in a Map too)', () => {
    expect(build(task('arn:aws:states:::sqs:sendMessage'))).toThrow(UnsupportedDefinitionError);
    const nested = {
      StartAt: 'M',
      States: {
        M: { Type: 'Map', ItemProcessor: task('arn:aws:states:::states:startExecution'), End: true },
      },
    };
    expect(build(nested)).toThrow(/states:startExecution/);
  });

  it('refuses a placeholder infra does not substitute', () => {
    expect(build(task('arn:aws:states:::lambda:invoke', placeholder('NotifyFunctionArn')))).toThrow(
      /NotifyFunctionArn/,
    );
  });

  it('refuses an empty set of definitions', () => {
    const stack = new Stack(new App(), 'T');
    const fn = new LambdaFunction(stack, 'F', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'i.h',
      code: Code.fromInline('x'),
    });
    expect(
      () =>
        new WorkflowStateMachines(stack, 'W', {
          definitions: {},
          dispatchFunction: fn,
          jobOpsFunction: fn,
          namePrefix: 'rackops',
          logRetention: RetentionDays.ONE_WEEK,
        }),
    ).toThrow(UnsupportedDefinitionError);
  });
});
