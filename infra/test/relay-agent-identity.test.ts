import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ArnPrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { RelayAgentIdentity } from '../src/constructs/relay-agent-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './helpers/synth';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const SQS_VIA = { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] };
const S3_VIA = { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] };

describe('relay agent identity', () => {
  let synth: Synthesized;
  let stateful: Resources;
  let stateless: Resources;
  let roleId: string;
  const id = (c: { node: { defaultChild?: unknown } }) =>
    Stack.of(synth.stateful).getLogicalId(c.node.defaultChild as never);

  beforeAll(() => {
    synth = synthesize({ 'rackops:relayAgentPrincipal': 'arn:aws:iam::123456789012:role/onprem-relay' });
    stateful = Template.fromStack(synth.stateful).toJSON().Resources as Resources;
    stateless = Template.fromStack(synth.stateless).toJSON().Resources as Resources;
    roleId = id(synth.stateful.relayAgentRole as never);
  });
  afterAll(() => synth?.cleanup());

  it('can be assumed only by the configured principal', () => {
    expect(stateful[roleId]?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:role/onprem-relay' },
        },
      ],
    });
  });

  it('may do exactly: consume commands, send results, use the queue key through SQS, keep backups under scp/', () => {
    const role = stateful[roleId]?.Properties ?? {};
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toEqual([
      {
        PolicyName: 'RelayAgentQueues',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ConsumeCommands',
              Effect: 'Allow',
              Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
              Resource: { 'Fn::GetAtt': [id(synth.stateful.commandsQueue), 'Arn'] },
            },
            {
              Sid: 'SendResults',
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [id(synth.stateful.resultsQueue), 'Arn'] },
            },
            {
              Sid: 'UseQueueKeyThroughSqs',
              Effect: 'Allow',
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: { 'Fn::GetAtt': [id(synth.stateful.messagingKey), 'Arn'] },
              Condition: { StringEquals: { 'kms:ViaService': SQS_VIA } },
            },
            {
              Sid: 'PutAndGetBackups',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject'],
              Resource: {
                'Fn::Join': [
                  '',
                  [{ 'Fn::GetAtt': [id(synth.stateful.backupBucket as never), 'Arn'] }, '/scp/*'],
                ],
              },
            },
            {
              Sid: 'ListBackups',
              Effect: 'Allow',
              Action: 's3:ListBucket',
              Resource: { 'Fn::GetAtt': [id(synth.stateful.backupBucket as never), 'Arn'] },
              Condition: { StringLike: { 's3:prefix': ['scp/*'] } },
            },
            {
              Sid: 'UseBackupKeyThroughS3',
              Effect: 'Allow',
              Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
              Resource: { 'Fn::GetAtt': [id(synth.stateful.backupKey), 'Arn'] },
              Condition: { StringEquals: { 'kms:ViaService': S3_VIA } },
            },
          ],
        },
      },
    ]);
  });

  it('gains nothing through any other policy, in either stack', () => {
    const attached = (r: Resources) =>
      Object.entries(r).filter(([, res]) => {
        if (res.Type !== 'AWS::IAM::Policy' && res.Type !== 'AWS::IAM::ManagedPolicy') return false;
        return JSON.stringify(res.Properties).includes(roleId);
      });
    expect(attached(stateful)).toEqual([]);
    expect(attached(stateless)).toEqual([]);
  });

  it('is not named in any resource policy (queues, keys, secrets) either', () => {
    for (const [, res] of Object.entries(stateful)) {
      if (res.Type === 'AWS::IAM::Role') continue;
      expect(JSON.stringify(res.Properties ?? {})).not.toContain(`"${roleId}"`);
    }
  });

  it('cannot be synthesized without an explicit principal: the message says which context value to pass', () => {
    expect(() => synthesize({ 'rackops:relayAgentPrincipal': undefined })).toThrow(
      /rackops:relayAgentPrincipal: required: the IAM principal ARN the relay agent authenticates as/,
    );
  });

  it('never trusts an account root, whether from context or given to the construct directly', () => {
    expect(() => synthesize({ 'rackops:relayAgentPrincipal': 'arn:aws:iam::123456789012:root' })).toThrow(
      /not a principal/,
    );
    const stack = new Stack();
    const queue = new Queue(stack, 'Q');
    expect(
      () =>
        new RelayAgentIdentity(stack, 'Relay', {
          commandsQueue: queue,
          resultsQueue: queue,
          queueKey: new Key(stack, 'K'),
          assumedBy: new ArnPrincipal('arn:aws:iam::123456789012:root'),
        }),
    ).toThrow(/not an account root/);
  });

  it('refused relay messages are counted from the result log and alarmed (RelayMessagesRefused)', () => {
    const filters = Object.values(stateless).filter((r) => r.Type === 'AWS::Logs::MetricFilter');
    expect(filters).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          FilterPattern: '{ $.securityEvent = "relay_message_refused" }',
          MetricTransformations: [
            expect.objectContaining({ MetricName: 'RelayMessagesRefused', MetricNamespace: 'RackOps' }),
          ],
        }),
      }),
    ]);
    // No default value: the metric (and its monthly charge) exists only in hours with a refusal.
    const props = filters[0]?.Properties as { MetricTransformations: Record<string, unknown>[] } | undefined;
    const transform = props?.MetricTransformations[0];
    expect(transform).toBeDefined();
    expect(transform).not.toHaveProperty('DefaultValue');
    const alarms = Object.entries(stateless).filter(
      ([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.includes('RelayMessagesRefused'),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.[1].Properties).toMatchObject({
      MetricName: 'RelayMessagesRefused',
      Namespace: 'RackOps',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});
