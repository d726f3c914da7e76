import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import {
  ArnPrincipal,
  type IPrincipal,
  type IRole,
  PolicyDocument,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

export interface RelayAgentIdentityProps {
  /** The FIFO queue the agent takes signed commands from. */
  readonly commandsQueue: IQueue;
  /** The queue the agent puts results, progress and heartbeats on. */
  readonly resultsQueue: IQueue;
  /** The key both queues are encrypted with. */
  readonly queueKey: IKey;
  /**
   * Who may assume the role: the one principal the on-prem agent authenticates as (an IAM Roles Anywhere role,
   * a user). Required: an account root would let anyone the account's administrators allow answer any task.
   */
  readonly assumedBy: IPrincipal;
  /**
   * The SCP backup bucket: the agent may put, get and list objects under `prefix` only, and use the bucket's
   * key through S3 only.
   */
  readonly backups?: { readonly bucket: IBucket; readonly prefix: string; readonly key: IKey };
  /**
   * Longest session, in seconds.
   * @default 3600
   */
  readonly maxSessionSeconds?: number;
}

/** Exactly what the agent may do. Tests compare the synthesized policy with these lists. */
export const RELAY_AGENT_COMMAND_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:ReceiveMessage',
] as const;
export const RELAY_AGENT_RESULT_ACTIONS = ['sqs:SendMessage'] as const;
export const RELAY_AGENT_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
export const RELAY_AGENT_BACKUP_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;
export const RELAY_AGENT_BACKUP_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;

/**
 * The relay agent's AWS identity. The agent runs on-prem and only talks to SQS and its backup prefix in S3, so
 * its role can receive / delete / extend visibility on the commands queue, send to the results queue, use the
 * queues' key only through SQS (kms:ViaService), and put / get / list SCP backups under its prefix with the
 * backup key only through S3. Nothing else: no table, no secrets, no Step Functions, no delete.
 */
export class RelayAgentIdentity extends Construct {
  readonly role: IRole;

  constructor(scope: Construct, id: string, props: RelayAgentIdentityProps) {
    super(scope, id);
    const maxSessionSeconds = props.maxSessionSeconds ?? 3600;
    if (!Number.isInteger(maxSessionSeconds) || maxSessionSeconds < 900 || maxSessionSeconds > 43_200) {
      throw new RangeError('maxSessionSeconds must be an integer in 900..43200');
    }
    const stack = Stack.of(this);
    const assumedBy = props.assumedBy;
    if (assumedBy instanceof ArnPrincipal && /:root$/.test(assumedBy.arn)) {
      throw new Error('the relay agent role must trust one explicit principal, not an account root');
    }

    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'ConsumeCommands',
          actions: [...RELAY_AGENT_COMMAND_ACTIONS],
          resources: [props.commandsQueue.queueArn],
        }),
        new PolicyStatement({
          sid: 'SendResults',
          actions: [...RELAY_AGENT_RESULT_ACTIONS],
          resources: [props.resultsQueue.queueArn],
        }),
        new PolicyStatement({
          sid: 'UseQueueKeyThroughSqs',
          actions: [...RELAY_AGENT_KEY_ACTIONS],
          resources: [props.queueKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
        }),
        ...(props.backups ? backupStatements(props.backups, stack.region) : []),
      ],
    });

    // A Role with only an inline policy, built here rather than through grant helpers: the grant helpers add
    // actions we do not want the agent to have (GetQueueAttributes, GetQueueUrl, ReEncrypt...).
    this.role = new Role(this, 'Role', {
      assumedBy,
      description:
        'RackOps relay agent (on-prem): consume commands, send results, keep SCP backups. Nothing else.',
      maxSessionDuration: Duration.seconds(maxSessionSeconds),
      inlinePolicies: { RelayAgentQueues: policy },
    });
    if (props.backups) {
      const bucketId = stack.getLogicalId(props.backups.bucket.node.defaultChild as CfnElement);
      acknowledgeNag(
        this.role,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${props.backups.prefix}*]`,
        'Backup object keys are <prefix><host>/<backup id>, made at run time: the agent may put and get objects under its prefix only, never delete.',
      );
    }
  }
}

/** Objects under the prefix; listing only with an `s3:prefix` inside it; the key only as S3 uses it. */
function backupStatements(
  b: NonNullable<RelayAgentIdentityProps['backups']>,
  region: string,
): PolicyStatement[] {
  if (!/^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)+$/.test(b.prefix) || b.prefix.includes('..'))
    throw new RangeError(`backup prefix ${JSON.stringify(b.prefix)} must be folder-like, e.g. "scp/"`);
  return [
    new PolicyStatement({
      sid: 'PutAndGetBackups',
      actions: [...RELAY_AGENT_BACKUP_OBJECT_ACTIONS],
      resources: [b.bucket.arnForObjects(`${b.prefix}*`)],
    }),
    new PolicyStatement({
      sid: 'ListBackups',
      actions: ['s3:ListBucket'],
      resources: [b.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${b.prefix}*`] } },
    }),
    new PolicyStatement({
      sid: 'UseBackupKeyThroughS3',
      actions: [...RELAY_AGENT_BACKUP_KEY_ACTIONS],
      resources: [b.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    }),
  ];
}
