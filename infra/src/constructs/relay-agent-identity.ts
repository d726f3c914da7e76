import { Duration, Stack } from 'aws-cdk-lib';
import {
  ArnPrincipal,
  type IPrincipal,
  type IRole,
  PolicyDocument,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

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

/**
 * The relay agent's AWS identity. The agent runs on-prem and only ever talks to SQS, so its role can
 * receive / delete / extend visibility on the commands queue, send to the results queue, and use the queues'
 * key only through SQS (kms:ViaService). Nothing else: no table, no secrets, no Step Functions.
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
      ],
    });

    // A Role with only an inline policy, built here rather than through grant helpers: the grant helpers add
    // actions we do not want the agent to have (GetQueueAttributes, GetQueueUrl, ReEncrypt...).
    this.role = new Role(this, 'Role', {
      assumedBy,
      description: 'RackOps relay agent (on-prem): consume commands, send results. Nothing else.',
      maxSessionDuration: Duration.seconds(maxSessionSeconds),
      inlinePolicies: { RelayAgentQueues: policy },
    });
  }
}
