import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  type IFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_LAYOUT } from '@rackops/core/store/table-layout';
import { LAMBDA_BUNDLE } from '../bundling';
import { type HandlerSource, REPO_ROOT } from '../handlers';
import { acknowledgeNag } from '../nag';

export interface HandlerFunctionProps {
  /** The handler file to deploy. */
  readonly source: HandlerSource;
  /** Physical function name (alarms and runbooks name it). */
  readonly functionName: string;
  /**
   * Bundle the handler with esbuild. When false a stub asset is deployed instead: for tests, which need the
   * template and not the code.
   * @default true
   */
  readonly bundle?: boolean;
  /** Environment variables; NODE_OPTIONS, if bundling.ts gives any, is set here. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /** How long the function's logs are kept. */
  readonly logRetention: RetentionDays;
  /** What the function does, for the console. */
  readonly description?: string;
}

/** Node.js 22 on Graviton; one per handler file in lambdas/src/handlers. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/**
 * One RackOps Lambda: bundled from its handler file, ARM64, X-Ray active, its own log group with a retention,
 * and a role that starts with nothing but permission to write to that log group.
 */
export class HandlerFunction extends Construct {
  readonly function: IFunction;
  readonly role: Role;
  /** Its log group (metric filters read it). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const memorySize = props.memorySize ?? 512;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) {
      throw new RangeError(`memorySize must be an integer in 128..10240, got ${memorySize}`);
    }
    const timeout = props.timeout ?? Duration.seconds(30);
    if (timeout.toSeconds() > 900) throw new RangeError('timeout must be at most 15 minutes');

    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `RackOps ${props.source.name} Lambda`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs on every log group): this function's group only.
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    const common = {
      functionName: props.functionName,
      description: props.description ?? `RackOps ${props.source.name} handler`,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout,
      role: this.role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...nodeOptionsEnv(LAMBDA_BUNDLE.nodeOptions),
        ...props.environment,
      },
    };

    this.function =
      props.bundle === false
        ? new LambdaFunction(this, 'Function', {
            ...common,
            handler: 'index.handler',
            code: Code.fromInline(
              "exports.handler = async () => { throw new Error('stub asset (bundle=false)'); };",
            ),
          })
        : new NodejsFunction(this, 'Function', {
            ...common,
            entry: props.source.entry,
            handler: props.source.exportName,
            projectRoot: REPO_ROOT,
            depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
            bundling: {
              forceDockerBundling: false,
              format: OutputFormat.ESM,
              target: LAMBDA_BUNDLE.target,
              minify: LAMBDA_BUNDLE.minify,
              keepNames: LAMBDA_BUNDLE.keepNames,
              sourceMap: LAMBDA_BUNDLE.sourcemap,
              sourcesContent: LAMBDA_BUNDLE.sourcesContent,
              mainFields: [...LAMBDA_BUNDLE.mainFields],
              banner: LAMBDA_BUNDLE.banner,
              externalModules: [...LAMBDA_BUNDLE.external],
              // The esbuild command line takes no plugins: the hook rebuilds index.mjs with them (bundling.ts).
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => [
                  [
                    'node',
                    '--import',
                    'tsx',
                    shellQuote(join(REPO_ROOT, 'infra', 'src', 'bundle-cli.ts')),
                    shellQuote(props.source.entry),
                    shellQuote(join(outputDir, `index${LAMBDA_BUNDLE.outExtension}`)),
                  ].join(' '),
                ],
              },
            },
          });

    acknowledgeNag(
      this.function,
      'AwsSolutions-L1',
      'nodejs22.x is deliberate: the bundles target node22 and the code is tested on Node 20/22; moving to a ' +
        'newer runtime is a tested upgrade, not something a lint should trigger.',
    );
    acknowledgeNag(
      this.role,
      `AwsSolutions-IAM5[Resource::*]`,
      'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level ' +
        'permissions; AWS documents Resource "*" for them.',
    );
  }

  /**
   * Read one secret. Written out instead of `secret.grantRead()`, which would edit the key policy in the
   * stateful stack and make it depend on this (stateless) role: a cross-stack cycle.
   */
  allowSecretRead(secret: ISecret, key: IKey): void {
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  /**
   * Item reads and writes on the table and its named indexes, and the table key through DynamoDB only. Written
   * out instead of `table.grantReadWriteData()`, which grants `index/*` and `kms:ReEncrypt*`/`GenerateDataKey*`
   * wildcards; our index names are known (core TABLE_LAYOUT).
   */
  allowTableReadWrite(table: ITable, key: IKey): void {
    this.role.addToPolicy(
      new PolicyStatement({
        actions: TABLE_ITEM_ACTIONS,
        resources: [table.tableArn, ...TABLE_LAYOUT.indexes.map((i) => `${table.tableArn}/index/${i.name}`)],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /** Send to one (encrypted) queue: sqs:SendMessage and the queue key through SQS only. */
  /**
   * `health`: depths of the work queues (GetQueueAttributes only: a receive there would count towards their
   * redrive) and of the dead-letter queues, whose oldest message is peeked with a zero visibility timeout.
   */
  allowQueueDepthRead(workQueues: IQueue[], deadLetterQueues: IQueue[], key: IKey): void {
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['sqs:GetQueueAttributes'],
        resources: [...workQueues, ...deadLetterQueues].map((q) => q.queueArn),
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility'],
        resources: deadLetterQueues.map((q) => q.queueArn),
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  allowQueueSend(queue: IQueue, key: IKey): void {
    this.role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

/** Item-level DynamoDB actions the Store adapter uses (no table management: the table is CDK's). */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

/** One argument for the shell the bundling hooks run in. */
function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

/** `NODE_OPTIONS` when bundling.ts names any; an empty variable would only add noise to the template. */
function nodeOptionsEnv(options: string): Record<string, string> {
  return options ? { NODE_OPTIONS: options } : {};
}
