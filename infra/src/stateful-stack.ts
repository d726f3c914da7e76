import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BACKUP_PREFIX, BackupBucket } from './constructs/backup-bucket';
import { QueueWithDeadLetter } from './constructs/queue-with-dead-letter';
import { RackOpsSecrets } from './constructs/rackops-secrets';
import { RackOpsTable } from './constructs/rackops-table';
import { RelayAgentIdentity } from './constructs/relay-agent-identity';

export interface StatefulStackProps extends StackProps {
  /** Prefix of physical names (secrets). */
  readonly namePrefix: string;
  /** ARN of the principal allowed to assume the relay agent role (never an account root). */
  readonly relayAgentPrincipalArn: string;
  /**
   * Visibility timeout of the commands queue; the agent extends it while a long operation runs (DESIGN §6).
   * @default Duration.minutes(2)
   */
  readonly commandVisibilityTimeout?: Duration;
  /**
   * Visibility timeout of the results queue. Must be at least six times the result Lambda's timeout
   * (AWS's guidance for SQS event sources).
   * @default Duration.minutes(3)
   */
  readonly resultVisibilityTimeout?: Duration;
  /**
   * How long an SCP backup stays current in the backup bucket; an expired or overwritten version is kept
   * another `backupNoncurrentRetention`.
   * @default Duration.days(365)
   */
  readonly backupRetention?: Duration;
  /** @default Duration.days(30) */
  readonly backupNoncurrentRetention?: Duration;
}

/**
 * Everything that holds data and must outlive any redeploy: the table, the queues, the secrets, the SCP backup
 * bucket, their keys and the relay agent's identity (whose ARN is in an on-prem config file and must not change).
 */
export class StatefulStack extends Stack {
  readonly table: ITable;
  /** Encrypts the table and the secrets. */
  readonly dataKey: IKey;
  /** Encrypts the queues and the alarm topic. */
  readonly messagingKey: IKey;
  readonly commandsQueue: IQueue;
  readonly commandsDeadLetterQueue: IQueue;
  readonly resultsQueue: IQueue;
  readonly resultsDeadLetterQueue: IQueue;
  readonly botCredentials: ISecret;
  readonly relaySigningKey: ISecret;
  readonly notifyWebhooks: ISecret;
  readonly relayAgentRole: IRole;
  /** SCP backups, written and read by the relay agents under BACKUP_PREFIX. */
  readonly backupBucket: IBucket;
  /** Encrypts the backup bucket (only): the relay agents may use it, through S3 only. */
  readonly backupKey: IKey;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.dataKey = new Key(this, 'DataKey', {
      description: 'RackOps: table and secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const messagingKey = new Key(this, 'MessagingKey', {
      description: 'RackOps: command and result queues, alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted topic; the service needs the key for that, and only that.
    messagingKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    // EventBridge publishes failed/timed-out/aborted executions to the same topic (a rule, not 18 alarms).
    messagingKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgePublishesToEncryptedTopic',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.messagingKey = messagingKey;

    this.table = new RackOpsTable(this, 'Table', { encryptionKey: this.dataKey }).table;

    const commands = new QueueWithDeadLetter(this, 'Commands', {
      encryptionKey: messagingKey,
      fifo: true,
      visibilityTimeout: props.commandVisibilityTimeout ?? Duration.minutes(2),
      // A command that fails to be taken this often is poison; keep it for a human rather than retry forever.
      maxReceiveCount: 5,
    });
    this.commandsQueue = commands.queue;
    this.commandsDeadLetterQueue = commands.deadLetterQueue;

    const results = new QueueWithDeadLetter(this, 'Results', {
      encryptionKey: messagingKey,
      visibilityTimeout: props.resultVisibilityTimeout ?? Duration.minutes(3),
      maxReceiveCount: 5,
    });
    this.resultsQueue = results.queue;
    this.resultsDeadLetterQueue = results.deadLetterQueue;

    const secrets = new RackOpsSecrets(this, 'Secrets', {
      encryptionKey: this.dataKey,
      namePrefix: props.namePrefix,
    });
    this.botCredentials = secrets.botCredentials;
    this.relaySigningKey = secrets.relaySigningKey;
    this.notifyWebhooks = secrets.notifyWebhooks;

    // A key of its own: the agents' grant on it opens the backups, never the table or the secrets.
    this.backupKey = new Key(this, 'BackupKey', {
      description: 'RackOps: SCP backups bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupBucket = new BackupBucket(this, 'Backups', {
      encryptionKey: this.backupKey,
      retention: props.backupRetention ?? Duration.days(365),
      noncurrentRetention: props.backupNoncurrentRetention ?? Duration.days(30),
    }).bucket;

    this.relayAgentRole = new RelayAgentIdentity(this, 'RelayAgent', {
      commandsQueue: this.commandsQueue,
      resultsQueue: this.resultsQueue,
      queueKey: messagingKey,
      backups: { bucket: this.backupBucket, prefix: BACKUP_PREFIX, key: this.backupKey },
      assumedBy: new ArnPrincipal(props.relayAgentPrincipalArn),
    }).role;

    // What the relay agent's config needs (relay-agent/README.md).
    new CfnOutput(this, 'RelayRegion', { value: this.region, description: 'AWS region of the queues' });
    new CfnOutput(this, 'RelayCommandsQueueUrl', { value: this.commandsQueue.queueUrl });
    new CfnOutput(this, 'RelayResultsQueueUrl', { value: this.resultsQueue.queueUrl });
    new CfnOutput(this, 'RelayAgentRoleArn', { value: this.relayAgentRole.roleArn });
    new CfnOutput(this, 'RelaySigningKeySecretArn', {
      value: this.relaySigningKey.secretArn,
      description: 'Read it once with your own credentials and put the value in the agent config',
    });
    new CfnOutput(this, 'BackupBucketName', {
      value: this.backupBucket.bucketName,
      description: 'The relay agent config: backups {kind:"s3", bucket: this, prefix: BackupPrefix, region}',
    });
    new CfnOutput(this, 'BackupPrefix', { value: BACKUP_PREFIX });
    new CfnOutput(this, 'BotSecretArn', { value: this.botCredentials.secretArn });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
