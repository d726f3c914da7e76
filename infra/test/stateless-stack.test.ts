import { buildWorkflowDefinitions, substituteDefinition } from '@rackops/core/workflows/index';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type Synthesized, synthesize } from './helpers/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Resources = Record<string, Resource>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

describe('StatelessStack', () => {
  let synth: Synthesized;
  let template: Template;
  let resources: Resources;
  const id = (c: { node: { defaultChild?: unknown } }) =>
    Stack.of(synth.stateless).getLogicalId(c.node.defaultChild as never);
  const fnId = (name: string) => {
    const fn = synth.stateless.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    return id(fn);
  };
  const propsOf = (logicalId: string): Record<string, unknown> => {
    const r = resources[logicalId];
    if (!r) throw new Error(`no resource ${logicalId}`);
    return r.Properties;
  };
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  /** All statements of the inline/default policies attached to a role. */
  const statementsOf = (roleId: string): Statement[] =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const envOf = (name: string) =>
    (propsOf(fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
  const roleOf = (fnLogicalId: string) =>
    (propsOf(fnLogicalId).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;

  beforeAll(() => {
    synth = synthesize({ 'rackops:teamsAppId': 'app-123', 'rackops:productionClusters': ['domain-c8'] });
    template = Template.fromStack(synth.stateless);
    resources = template.toJSON().Resources as Resources;
  });
  afterAll(() => synth?.cleanup());

  describe('Lambdas', () => {
    it('deploys one function per handler: nodejs22.x on ARM64 with active tracing', () => {
      const fns = ofType('AWS::Lambda::Function');
      expect(fns).toHaveLength(FUNCTION_NAMES.length);
      for (const [, fn] of fns) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
        });
      }
    });

    it('gives each function its own log group with the configured retention', () => {
      const groups = ofType('AWS::Logs::LogGroup').filter(([, g]) =>
        String(g.Properties.LogGroupName).startsWith('/aws/lambda/'),
      );
      expect(groups.map(([, g]) => g.Properties.LogGroupName).sort()).toEqual(
        FUNCTION_NAMES.map((n) => `/aws/lambda/rackops-${n}`).sort(),
      );
      for (const [, g] of groups) expect(g.Properties.RetentionInDays).toBe(90);
    });

    it('gives each function exactly the environment variables its code reads', () => {
      const envNames = Object.fromEntries(
        FUNCTION_NAMES.map((name) => [name, Object.keys(envOf(name)).sort()]),
      );
      const base = ['LOG_LEVEL', 'TABLE_NAME'];
      const notify = ['BOT_SECRET_ARN', 'NOTIFY_WEBHOOKS_SECRET_ARN', 'TEAMS_APP_ID'];
      const schedules = [
        'CLAIM_FUNCTION_ARN',
        'SCHEDULER_ROLE_ARN',
        'SCHEDULES_DLQ_ARN',
        'SCHEDULE_GROUP_NAME',
      ];
      const sorted = (...names: string[][]) => names.flat().sort();
      expect(envNames).toEqual({
        bot: sorted(base, notify, schedules, [
          'STATE_MACHINE_ARNS',
          'PRODUCTION_CLUSTERS',
          'COMMANDS_QUEUE_URL',
          'RESULTS_QUEUE_URL',
          'COMMANDS_DLQ_URL',
          'RESULTS_DLQ_URL',
        ]),
        claim: sorted(base, notify, schedules, ['STATE_MACHINE_ARNS']),
        dispatch: sorted(base, ['COMMANDS_QUEUE_URL', 'RELAY_SIGNING_KEY_SECRET_ARN']),
        'execution-status': sorted(base, notify),
        'job-ops': sorted(base, notify),
        reconcile: sorted(base, schedules, ['INVENTORY_SCHEDULES']),
        result: sorted(base, notify, ['STATE_MACHINE_ARNS', 'RELAY_SIGNING_KEY_SECRET_ARN']),
      });
      expect(envOf('bot').TEAMS_APP_ID).toBe('app-123');
      expect(envOf('bot').PRODUCTION_CLUSTERS).toBe('["domain-c8"]');
    });

    it('gives each function exactly the grants it uses (nothing more)', () => {
      const grantsOf = (name: string): string[] => {
        const statements = statementsOf(roleOf(fnId(name)));
        const has = (action: string, resource?: RegExp) =>
          statements.some(
            (st) =>
              [st.Action].flat().includes(action) &&
              (!resource || resource.test(JSON.stringify(st.Resource))),
          );
        const consumes = ofType('AWS::Lambda::EventSourceMapping').some(
          ([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: fnId(name) }),
        );
        const grants: Record<string, boolean> = {
          table: has('dynamodb:PutItem', /Table/),
          botSecret: has('secretsmanager:GetSecretValue', /BotCredentials/),
          relayKey: has('secretsmanager:GetSecretValue', /RelaySigningKey/),
          sendCommands: has('sqs:SendMessage', /CommandsQueue/),
          consumeResults: consumes,
          queueDepths: has('sqs:ReceiveMessage', /DeadLetter/),
          startWorkflows: has('states:StartExecution'),
          watchExecutions: has('states:DescribeExecution'),
          answerTasks: has('states:SendTaskSuccess'),
          manageSchedules: has('scheduler:CreateSchedule'),
          listSchedules: has('scheduler:ListSchedules'),
          notify: has('secretsmanager:GetSecretValue', /NotifyWebhooks/),
        };
        return Object.keys(grants)
          .filter((g) => grants[g])
          .sort();
      };
      const notify = ['botSecret', 'notify'];
      const sorted = (...names: string[][]) => names.flat().sort();
      expect(Object.fromEntries(FUNCTION_NAMES.map((name) => [name, grantsOf(name)]))).toEqual({
        bot: sorted(notify, [
          'table',
          'startWorkflows',
          'watchExecutions',
          'answerTasks',
          'manageSchedules',
          'queueDepths',
        ]),
        claim: sorted(notify, ['table', 'startWorkflows', 'watchExecutions', 'manageSchedules']),
        dispatch: sorted(['table', 'relayKey', 'sendCommands']),
        'execution-status': sorted(notify, ['table']),
        'job-ops': sorted(notify, ['table', 'answerTasks']),
        reconcile: sorted(['table', 'manageSchedules', 'listSchedules']),
        result: sorted(notify, ['table', 'relayKey', 'consumeResults', 'answerTasks']),
      });
    });

    it('lists every workflow in STATE_MACHINE_ARNS', () => {
      const env = (propsOf(fnId('claim')).Environment as { Variables: Record<string, unknown> }).Variables;
      const json = JSON.stringify(env.STATE_MACHINE_ARNS);
      for (const name of Object.keys(buildWorkflowDefinitions()))
        expect(json).toContain(`stateMachine:rackops-${name}`);
    });

    it('feeds the result Lambda from the results queue with partial batch failures', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fnId('result') },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('ResultsQueue') },
      });
      expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(1);
    });

    it('exposes only the bot, through a Function URL that leaves auth to the Bot Framework JWT check', () => {
      const urls = ofType('AWS::Lambda::Url');
      expect(urls).toHaveLength(1);
      expect(urls[0]?.[1].Properties).toMatchObject({
        AuthType: 'NONE',
        TargetFunctionArn: { 'Fn::GetAtt': [fnId('bot'), 'Arn'] },
      });
      template.hasOutput('BotMessagingEndpoint', {});
    });

    it('lets only dispatch send commands; only dispatch (signs) and result (verifies) read the relay signing key', () => {
      for (const name of FUNCTION_NAMES) {
        const statements = statementsOf(roleOf(fnId(name)));
        const sends = statements.some((s) => [s.Action].flat().includes('sqs:SendMessage'));
        const readsKey = statements.some((s) => JSON.stringify(s.Resource).includes('RelaySigningKey'));
        expect({ name, sends, readsKey }).toEqual({
          name,
          sends: name === 'dispatch',
          readsKey: name === 'dispatch' || name === 'result',
        });
      }
    });

    it('lets the bot read queue depths for `health`, receiving (a zero-visibility peek) only from dead-letter queues', () => {
      const statements = statementsOf(roleOf(fnId('bot')));
      const withAction = (a: string) => statements.filter((st) => [st.Action].flat().includes(a));
      expect(withAction('sqs:GetQueueAttributes').flatMap((st) => [st.Resource].flat())).toHaveLength(4);
      const received = withAction('sqs:ReceiveMessage').flatMap((st) => [st.Resource].flat());
      expect(received).toHaveLength(2);
      for (const r of received) expect(JSON.stringify(r)).toMatch(/DeadLetter/);
      expect(withAction('sqs:SendMessage')).toEqual([]);
      const env = (propsOf(fnId('bot')).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['COMMANDS_DLQ_URL', 'RESULTS_DLQ_URL']));
    });

    it('lets the bot and the functions that notify (proactive Teams messages) read the bot secret, and only them', () => {
      const reads = (name: string, secret: string) =>
        statementsOf(roleOf(fnId(name))).some(
          (s) =>
            [s.Action].flat().includes('secretsmanager:GetSecretValue') &&
            JSON.stringify(s.Resource).includes(secret),
        );
      const names = FUNCTION_NAMES;
      const notifying = ['bot', 'claim', 'execution-status', 'job-ops', 'result'];
      expect(names.filter((n) => reads(n, 'BotCredentials')).sort()).toEqual(
        notifying.filter((n) => names.includes(n)),
      );
      expect(names.filter((n) => reads(n, 'NotifyWebhooks')).sort()).toEqual(
        notifying.filter((n) => names.includes(n)),
      );
    });

    it('grants no wildcard action and no "*" resource except X-Ray (and reconcile\'s ListSchedules)', () => {
      for (const name of FUNCTION_NAMES) {
        for (const s of statementsOf(roleOf(fnId(name)))) {
          for (const action of [s.Action].flat()) expect(action).not.toContain('*');
          if (s.Resource === '*' && !(name === 'reconcile' && s.Action === 'scheduler:ListSchedules'))
            expect(s.Action).toEqual(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
        }
      }
    });
  });

  describe('state machines', () => {
    it('deploys exactly the definitions core/src/workflows builds, with both ARNs substituted', () => {
      const definitions = buildWorkflowDefinitions();
      const machines = ofType('AWS::StepFunctions::StateMachine');
      expect(machines).toHaveLength(Object.keys(definitions).length);
      for (const [name, definition] of Object.entries(definitions)) {
        const machine = synth.stateless.stateMachines.get(name);
        expect(machine, name).toBeDefined();
        const props = propsOf(id(machine as never));
        expect(props.StateMachineName).toBe(`rackops-${name}`);
        expect(JSON.parse(props.DefinitionString as string)).toEqual(definition);
        expect(props.DefinitionSubstitutions).toEqual({
          DispatchFunctionArn: { 'Fn::GetAtt': [fnId('dispatch'), 'Arn'] },
          JobOpsFunctionArn: { 'Fn::GetAtt': [fnId('job-ops'), 'Arn'] },
        });
        // After substitution no placeholder is left and every Lambda task calls one of the two functions.
        const substituted = JSON.stringify(
          substituteDefinition(JSON.parse(props.DefinitionString as string), {
            DispatchFunctionArn: 'arn:dispatch',
            JobOpsFunctionArn: 'arn:job-ops',
          }),
        );
        expect(substituted).not.toMatch(/\$\{/);
        for (const [, fn] of substituted.matchAll(/"FunctionName":"([^"]*)"/g)) {
          expect(['arn:dispatch', 'arn:job-ops']).toContain(fn);
        }
      }
    });

    it('logs ALL without execution data and traces with X-Ray', () => {
      for (const [, m] of ofType('AWS::StepFunctions::StateMachine')) {
        expect(m.Properties).toMatchObject({
          StateMachineType: 'STANDARD',
          LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
          TracingConfiguration: { Enabled: true },
        });
      }
    });

    it('lets the state machines invoke dispatch and job-ops and no other function', () => {
      for (const [, m] of ofType('AWS::StepFunctions::StateMachine')) {
        const roleId = (m.Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
        const invoked = statementsOf(roleId)
          .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))
          .flatMap((s) => [s.Resource].flat());
        const targets = new Set(
          JSON.stringify(invoked).match(/[A-Za-z]+Handler[A-Za-z0-9]*Function[A-F0-9]{8}/g),
        );
        expect([...targets].sort()).toEqual([fnId('dispatch'), fnId('job-ops')].sort());
      }
    });
  });

  it('sends the end of every RackOps execution (and only those) to execution-status', () => {
    // The other rule on these events is the alarm one (failed, timed out, aborted → the alarm topic).
    const alarmRule = id(synth.stateless.alarms.executionsEndedBadly as never);
    const rules = ofType('AWS::Events::Rule').filter(
      ([ruleId, r]) =>
        ruleId !== alarmRule && JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.states'),
    );
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.[1].Properties ?? {};
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    const machines = (rule.EventPattern as { detail: { stateMachineArn: unknown[] } }).detail.stateMachineArn;
    expect(machines).toHaveLength(Object.keys(buildWorkflowDefinitions()).length);
    expect(rule.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId('execution-status'), 'Arn'] } }),
    ]);
  });

  describe('scheduler', () => {
    it('has a schedule group', () => {
      template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'rackops-schedules' });
    });

    it('runs schedules as a role that can invoke the claim Lambda and nothing else', () => {
      const roleId = id(synth.stateless.scheduler.role as never);
      expect(propsOf(roleId).AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
      expect(propsOf(roleId).ManagedPolicyArns).toBeUndefined();
      expect(propsOf(roleId).Policies).toBeUndefined();
      const dlqArn = { 'Fn::GetAtt': [id(synth.stateless.scheduler.deadLetterQueue as never), 'Arn'] };
      expect(statementsOf(roleId)).toEqual([
        // A delivery that failed its retries goes to the schedules' dead-letter queue, and nowhere else.
        {
          Effect: 'Allow',
          Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          Resource: dlqArn,
        },
        {
          Sid: 'InvokeClaimOnly',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: { 'Fn::GetAtt': [fnId('claim'), 'Arn'] },
        },
      ]);
    });

    it('has a TLS-only dead-letter queue for schedules, named to every function that writes schedules', () => {
      const dlqId = id(synth.stateless.scheduler.deadLetterQueue as never);
      expect(propsOf(dlqId)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlqId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      for (const name of ['bot', 'claim']) {
        const env = (propsOf(fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
        expect(env.SCHEDULES_DLQ_ARN).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
      }
    });

    it('can be handed to schedules only by the bot, claim and reconcile Lambdas', () => {
      const roleId = id(synth.stateless.scheduler.role as never);
      const passers = FUNCTION_NAMES.filter((name) =>
        statementsOf(roleOf(fnId(name))).some(
          (s) => [s.Action].flat().includes('iam:PassRole') && JSON.stringify(s.Resource).includes(roleId),
        ),
      );
      expect(passers.sort()).toEqual(['bot', 'claim', 'reconcile']);
    });
  });

  describe('alarms', () => {
    const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicRef = () => ({ Ref: id(synth.stateless.alarms.topic as never) });

    it('sends every alarm to the encrypted, TLS-only topic', () => {
      for (const a of alarms()) expect(a.AlarmActions).toEqual([topicRef()]);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('MessagingKey') },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('alarms on any message in a dead-letter queue (commands, results, schedules)', () => {
      const dlq = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
      expect(dlq).toHaveLength(3);
      const schedulesDlq = id(synth.stateless.scheduler.deadLetterQueue as never);
      expect(
        dlq.some((a) =>
          JSON.stringify(a.Dimensions).includes(
            JSON.stringify({ 'Fn::GetAtt': [schedulesDlq, 'QueueName'] }),
          ),
        ),
      ).toBe(true);
      for (const a of dlq)
        expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    });

    it('alarms while a protection group is past its RPO (the metric the claim function writes), to the alarm topic', () => {
      const rpo = alarms().filter((a) => a.MetricName === 'ProtectionGroupPastRpo');
      expect(rpo).toHaveLength(1);
      expect(rpo[0]).toMatchObject({
        Namespace: 'RackOps',
        Statistic: 'Maximum',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(JSON.stringify(rpo[0]?.AlarmActions)).toContain('Topic');
    });

    it('alarms on any dead-lettered notification (the metric the pipeline writes), to the alarm topic', () => {
      const dead = alarms().filter((a) => a.MetricName === 'NotificationDeadLetters');
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        Namespace: 'RackOps',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(JSON.stringify(dead[0]?.AlarmActions)).toContain('Topic');
    });

    it('has no per-state-machine alarm: one EventBridge rule covers failed, timed-out and aborted executions', () => {
      const perMachine = alarms().filter((a) =>
        /Executions(Failed|TimedOut|Aborted)/.test(JSON.stringify(a)),
      );
      expect(perMachine).toEqual([]);
      const rule = synth.stateless.alarms.executionsEndedBadly;
      if (!rule) throw new Error('no ExecutionsEndedBadly rule');
      const props = propsOf(id(rule as never)) as {
        EventPattern: { source: string[]; 'detail-type': string[]; detail: Record<string, unknown[]> };
        Targets: { Arn: unknown; InputTransformer: { InputTemplate: string } }[];
      };
      expect(props.EventPattern.source).toEqual(['aws.states']);
      expect(props.EventPattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
      expect(props.EventPattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
      const machines = [...synth.stateless.stateMachines.values()].map((m) => ({ Ref: id(m as never) }));
      expect(machines).toHaveLength(Object.keys(buildWorkflowDefinitions()).length);
      expect(props.EventPattern.detail.stateMachineArn).toEqual(expect.arrayContaining(machines));
      expect(props.EventPattern.detail.stateMachineArn).toHaveLength(machines.length);
      // The alarm topic, with a message naming the execution.
      expect(props.Targets).toHaveLength(1);
      expect(props.Targets[0]?.Arn).toEqual(topicRef());
      expect(props.Targets[0]?.InputTransformer.InputTemplate).toMatch(/<detail-name>.*<detail-status>/);
    });

    it("lets only that rule publish to the alarm topic (topic policy: events.amazonaws.com, the rule's ARN)", () => {
      const rule = synth.stateless.alarms.executionsEndedBadly;
      if (!rule) throw new Error('no ExecutionsEndedBadly rule');
      const statements = ofType('AWS::SNS::TopicPolicy')
        .filter(([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([topicRef()]))
        .flatMap(
          ([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
        );
      const fromEvents = statements.filter(
        (s) => (s.Principal as { Service?: string } | undefined)?.Service === 'events.amazonaws.com',
      );
      expect(fromEvents).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sns:Publish',
          Resource: topicRef(),
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id(rule as never), 'Arn'] } } },
        }),
      ]);
    });

    it('alarms when the relay agent has sent nothing (heartbeats included) for 15 minutes', () => {
      const heartbeat = alarms().filter((a) => a.MetricName === 'NumberOfMessagesSent');
      expect(heartbeat).toHaveLength(1);
      expect(heartbeat[0]).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::ImportValue': expect.stringMatching(/ResultsQueue/) } },
        ],
      });
    });
  });
});
