import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  atExpression,
  createEventBridgeScheduler,
  rateExpression,
  scheduleNameFor,
} from '../src/adapters/eventbridge-scheduler';
import { createSfnOrchestrator, stateMachineArnsFromEnv } from '../src/adapters/sfn-orchestrator';

// No local stand-in exists for Step Functions or EventBridge Scheduler, so these fake the SDK client (the
// boundary), record the commands and check what our adapters ask AWS for.
class RecordingClient {
  readonly sent: { name: string; input: Record<string, unknown> }[] = [];
  constructor(
    private readonly answer: (name: string, input: Record<string, unknown>) => unknown = () => ({}),
  ) {}
  async send(cmd: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    this.sent.push({ name: cmd.constructor.name, input: cmd.input });
    return this.answer(cmd.constructor.name, cmd.input);
  }
}

describe('EventBridge Scheduler adapter', () => {
  it('writes at() in UTC without zone or fraction, and rate() in minutes', () => {
    expect(atExpression('2026-12-01T03:04:05.678+01:00')).toBe('at(2026-12-01T02:04:05)');
    expect(rateExpression(1)).toBe('rate(1 minute)');
    expect(rateExpression(15)).toBe('rate(15 minutes)');
    expect(() => rateExpression(0.5)).toThrow(/whole number/);
    expect(() => atExpression('soon')).toThrow(/not a time/);
    expect(scheduleNameFor('job-01ABC:x')).toBe('job-01ABC_x');
  });

  it('creates a one-shot schedule on the claim Lambda that deletes itself, and replaces one that exists', async () => {
    const client = new RecordingClient((name) => {
      if (name === CreateScheduleCommand.name) {
        throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
      }
      return {};
    });
    const scheduler = createEventBridgeScheduler({
      client: client as unknown as SchedulerClient,
      groupName: 'rackops-schedules',
      targetArn: 'arn:aws:lambda:eu-west-1:1:function:rackops-claim',
      roleArn: 'arn:aws:iam::1:role/scheduler',
    });
    await scheduler.scheduleAt({
      name: 'job-1',
      at: '2026-12-01T02:00:00Z',
      target: { kind: 'job', jobId: '1' },
    });
    expect(client.sent.map((s) => s.name)).toEqual([CreateScheduleCommand.name, UpdateScheduleCommand.name]);
    expect(client.sent[1]?.input).toMatchObject({
      Name: 'job-1',
      GroupName: 'rackops-schedules',
      ScheduleExpression: 'at(2026-12-01T02:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:lambda:eu-west-1:1:function:rackops-claim',
        Input: '{"kind":"job","jobId":"1"}',
      },
    });
  });

  it('cancelling a schedule that is gone is fine', async () => {
    const client = new RecordingClient((name) => {
      if (name === DeleteScheduleCommand.name)
        throw new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });
      return {};
    });
    const scheduler = createEventBridgeScheduler({
      client: client as unknown as SchedulerClient,
      groupName: 'g',
      targetArn: 'arn:t',
      roleArn: 'arn:r',
    });
    await expect(scheduler.cancel('job-2')).resolves.toBeUndefined();
  });
});

describe('Step Functions orchestrator adapter', () => {
  const arns = {
    'rolling-cluster-update': 'arn:aws:states:eu-west-1:1:stateMachine:rackops-rolling-cluster-update',
  };

  it('reads state machine ARNs from STATE_MACHINE_ARNS and refuses garbage', () => {
    expect(stateMachineArnsFromEnv({ STATE_MACHINE_ARNS: JSON.stringify(arns) })).toEqual(arns);
    expect(() => stateMachineArnsFromEnv({})).toThrow(/not set/);
    expect(() => stateMachineArnsFromEnv({ STATE_MACHINE_ARNS: '{"x":"nope"}' })).toThrow(
      /STATE_MACHINE_ARNS/,
    );
  });

  it('starts an execution named by the job id with JSON input; unknown workflows are refused', async () => {
    const client = new RecordingClient(() => ({ executionArn: 'arn:exec' }));
    const o = createSfnOrchestrator({ client: client as unknown as SFNClient, stateMachineArns: arns });
    expect(
      await o.startExecution({ workflow: 'rolling-cluster-update', name: 'JOB1', input: { jobId: 'JOB1' } }),
    ).toEqual({
      executionId: 'arn:exec',
    });
    expect(client.sent[0]).toEqual({
      name: StartExecutionCommand.name,
      input: { stateMachineArn: arns['rolling-cluster-update'], name: 'JOB1', input: '{"jobId":"JOB1"}' },
    });
    await expect(o.startExecution({ workflow: 'scp-export', name: 'J2', input: {} })).rejects.toThrow(
      /no state machine ARN/,
    );
  });

  it('trims SendTaskFailure error and cause to the API limits', async () => {
    const client = new RecordingClient();
    const o = createSfnOrchestrator({ client: client as unknown as SFNClient, stateMachineArns: arns });
    await o.sendTaskFailure('tok', 'e'.repeat(300), 'c'.repeat(40_000));
    expect(client.sent[0]?.name).toBe(SendTaskFailureCommand.name);
    const input = client.sent[0]?.input ?? {};
    expect(String(input.error).length).toBe(256);
    expect(String(input.cause).length).toBe(32_768);
  });

  it('describes executions, parsing output, and answers undefined for one that does not exist', async () => {
    const client = new RecordingClient((name, input) => {
      if (name !== DescribeExecutionCommand.name) return {};
      if (input.executionArn === 'arn:gone')
        throw new ExecutionDoesNotExist({ message: 'gone', $metadata: {} });
      return { status: 'FAILED', error: 'States.Timeout', output: '{"a":1}' };
    });
    const o = createSfnOrchestrator({ client: client as unknown as SFNClient, stateMachineArns: arns });
    expect(await o.describeExecution('arn:x')).toEqual({
      status: 'FAILED',
      error: 'States.Timeout',
      output: { a: 1 },
    });
    expect(await o.describeExecution('arn:gone')).toBeUndefined();
  });
});
