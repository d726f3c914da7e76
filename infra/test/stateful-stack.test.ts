import { TABLE_LAYOUT } from '@rackops/core/store/table-layout';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './helpers/synth';

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;

describe('StatefulStack', () => {
  let synth: Synthesized;
  let template: Template;
  let resources: Resources;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    Stack.of(synth.stateful).getLogicalId(construct.node.defaultChild as never);

  beforeAll(() => {
    synth = synthesize();
    template = Template.fromStack(synth.stateful);
    resources = template.toJSON().Resources as Resources;
  });
  afterAll(() => synth?.cleanup());

  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  describe('table', () => {
    it('is on-demand, has PITR, deletion protection and the TTL attribute, and is retained', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      });
    });

    it('is encrypted with the customer-managed data key', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(synth.stateful.dataKey), 'Arn'] },
        },
      });
    });

    it('has exactly the keys and indexes of core TABLE_LAYOUT, projecting all attributes', () => {
      const [[, table] = []] = ofType('AWS::DynamoDB::Table');
      const props = table?.Properties as {
        KeySchema: unknown;
        GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown; Projection: unknown }[];
      };
      expect(props.KeySchema).toEqual([
        { AttributeName: TABLE_LAYOUT.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_LAYOUT.sortKey, KeyType: 'RANGE' },
      ]);
      expect(props.GlobalSecondaryIndexes).toEqual(
        TABLE_LAYOUT.indexes.map((i) => ({
          IndexName: i.name,
          KeySchema: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
    });
  });

  it('has three customer-managed keys (data, messaging, backups), all rotated and retained', () => {
    const keys = ofType('AWS::KMS::Key');
    expect(keys).toHaveLength(3);
    for (const [, key] of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
  });

  it('lets CloudWatch alarms and EventBridge (this account only) use the messaging key for the alarm topic', () => {
    const key = resources[logicalId(synth.stateful.messagingKey as never)];
    if (!key) throw new Error('no messaging key');
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      const granted = statements.filter(
        (s) => (s.Principal as { Service?: string } | undefined)?.Service === service,
      );
      expect(granted).toHaveLength(1);
      expect(granted[0]).toMatchObject({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
    }
  });

  describe('queues', () => {
    const messagingKey = () => ({ 'Fn::GetAtt': [logicalId(synth.stateful.messagingKey), 'Arn'] });

    it('encrypts all four queues (two queues, two DLQs) with the messaging key', () => {
      const queues = ofType('AWS::SQS::Queue');
      expect(queues).toHaveLength(4);
      for (const [, q] of queues) expect(q.Properties.KmsMasterKeyId).toEqual(messagingKey());
    });

    it('makes the commands queue FIFO without content-based deduplication, with a FIFO DLQ', () => {
      const commands = logicalId(synth.stateful.commandsQueue);
      const dlq = logicalId(synth.stateful.commandsDeadLetterQueue);
      expect(resources[commands]?.Properties).toMatchObject({
        FifoQueue: true,
        ContentBasedDeduplication: false,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
      });
      expect(resources[dlq]?.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
    });

    it('gives the results queue a DLQ and a visibility timeout of 6x the result Lambda timeout', () => {
      const results = logicalId(synth.stateful.resultsQueue);
      const dlq = logicalId(synth.stateful.resultsDeadLetterQueue);
      const props = resources[results]?.Properties ?? {};
      expect(props.FifoQueue).toBeUndefined();
      expect(props.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
        maxReceiveCount: 5,
      });
      expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 30);
    });

    it('keeps dead letters 14 days', () => {
      for (const q of [synth.stateful.commandsDeadLetterQueue, synth.stateful.resultsDeadLetterQueue]) {
        expect(resources[logicalId(q)]?.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      }
    });

    it('denies every non-TLS request on every queue', () => {
      const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);
      const policies = ofType('AWS::SQS::QueuePolicy');
      const covered = new Set<string>();
      for (const [, p] of policies) {
        const statements = (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
          .Statement;
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
        for (const q of p.Properties.Queues as { Ref: string }[]) covered.add(q.Ref);
      }
      expect([...covered].sort()).toEqual([...queueIds].sort());
    });
  });

  describe('SCP backup bucket', () => {
    const bucketId = () => logicalId(synth.stateful.backupBucket as never);
    const bucket = () => resources[bucketId()] ?? { Type: '', Properties: {} };

    it('is encrypted with its own customer key (SSE-KMS, bucket key), versioned and retained', () => {
      expect(bucket().Type).toBe('AWS::S3::Bucket');
      expect(bucket().DeletionPolicy).toBe('Retain');
      expect(bucket().Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(synth.stateful.backupKey), 'Arn'] },
              },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('blocks all public access and ACLs (bucket owner enforced)', () => {
      expect(bucket().Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(bucket().Properties.AccessControl).toBeUndefined();
    });

    it('expires backups by retention and noncurrent versions after 30 days', () => {
      expect(bucket().Properties.LifecycleConfiguration).toEqual({
        Rules: [
          {
            Id: 'BackupRetention',
            Status: 'Enabled',
            ExpirationInDays: 365,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
          { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
        ],
      });
      const shorter = synthesize({ 'rackops:backupRetentionDays': '90' });
      try {
        const r = Template.fromStack(shorter.stateful).toJSON().Resources as Resources;
        const b = Object.values(r).find(
          (x) => x.Type === 'AWS::S3::Bucket' && x.Properties.VersioningConfiguration,
        );
        expect(JSON.stringify(b?.Properties.LifecycleConfiguration)).toContain('"ExpirationInDays":90');
      } finally {
        shorter.cleanup();
      }
    });

    it('denies every non-TLS request, on the bucket and its objects', () => {
      const policies = ofType('AWS::S3::BucketPolicy').filter(
        ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId() }),
      );
      expect(policies).toHaveLength(1);
      const doc = policies[0]?.[1].Properties.PolicyDocument as { Statement: unknown[] } | undefined;
      const statements = doc?.Statement ?? [];
      expect(statements).toContainEqual({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [
          { 'Fn::GetAtt': [bucketId(), 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/*']] },
        ],
      });
    });

    it('logs server access to a bucket of its own, itself TLS only, private and retained', () => {
      const logging = bucket().Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } };
      const logs = resources[logging.DestinationBucketName.Ref];
      expect(logs?.DeletionPolicy).toBe('Retain');
      expect(logs?.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      expect(logs?.Properties.AccessControl).toBeUndefined();
    });
  });

  it('encrypts the three secrets with the data key and retains them', () => {
    const secrets = ofType('AWS::SecretsManager::Secret');
    expect(secrets.map(([, s]) => s.Properties.Name).sort()).toEqual([
      'rackops/bot',
      'rackops/notify-webhooks',
      'rackops/relay-signing-key',
    ]);
    for (const [, s] of secrets) {
      expect(s.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(synth.stateful.dataKey), 'Arn'] });
      expect(s.DeletionPolicy).toBe('Retain');
    }
  });

  it('outputs what the relay agent config needs', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'RelayRegion',
        'RelayCommandsQueueUrl',
        'RelayResultsQueueUrl',
        'RelayAgentRoleArn',
        'RelaySigningKeySecretArn',
        'BackupBucketName',
        'BackupPrefix',
      ]),
    );
    template.hasOutput('BackupBucketName', {
      Value: { Ref: logicalId(synth.stateful.backupBucket as never) },
    });
    template.hasOutput('BackupPrefix', { Value: 'scp/' });
    template.hasOutput('RelayRegion', { Value: { Ref: 'AWS::Region' } });
  });
});
