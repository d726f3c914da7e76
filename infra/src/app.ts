import { App, Duration, type Environment, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type RackOpsConfig, readConfig } from './config';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface RackOpsAppProps {
  /** Context overrides (tests); otherwise cdk.json and `-c` apply. */
  readonly context?: Record<string, unknown>;
  /** Where the cloud assembly goes. @default - the CLI's choice (cdk.out) */
  readonly outdir?: string;
  /** The workflow ASL by name (core/src/workflows `buildWorkflowDefinitions()`). */
  readonly workflowDefinitions: Readonly<Record<string, object>>;
  /** Account/region; omitted for an environment-agnostic template (no lookups are made). */
  readonly env?: Environment;
  /**
   * Run cdk-nag's AwsSolutions checks at synthesis; any unacknowledged finding fails it.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Run CDK's built-in CloudFormation validation (resource schemas and rules, a WASM engine that costs seconds)
   * at synthesis. `cdk synth` keeps it on; tests turn it off to stay fast.
   * @default true
   */
  readonly cloudFormationValidation?: boolean;
}

export interface RackOpsApp {
  readonly app: App;
  readonly config: RackOpsConfig;
  readonly stateful: StatefulStack;
  /** Its Lambdas are the explicit list in lambdas/src/composition/functions.ts. */
  readonly stateless: StatelessStack;
}

/** Retention settings CloudWatch Logs accepts, nearest at or above the requested days. */
function retentionFor(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((d) => d >= days) ?? RetentionDays.TEN_YEARS;
}

/**
 * Builds the RackOps CDK app: the stateful stack, the stateless stack, and cdk-nag's AwsSolutions checks as a
 * synthesis-time validation plugin next to CDK's built-in CloudFormation validation (any unacknowledged finding
 * fails the synth).
 */
export function buildRackOpsApp(props: RackOpsAppProps): RackOpsApp {
  const app = new App({
    builtinCloudFormationValidation: props.cloudFormationValidation !== false,
    ...(props.outdir ? { outdir: props.outdir } : {}),
    context: {
      // Cross-stack references as CloudFormation exports (the current default, now explicit): the stateful
      // stack cannot lose an output the stateless stack still imports.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      // Server access logs delivered under a bucket policy, not the LogDeliveryWrite ACL: no bucket uses ACLs.
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      ...props.context,
    },
  });
  const config = readConfig(app.node);
  if (props.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const stateful = new StatefulStack(app, `${config.prefix}-stateful`, {
    namePrefix: config.prefix,
    description: 'RackOps: table, queues, keys, secrets, SCP backup bucket, relay agent identity',
    terminationProtection: true,
    relayAgentPrincipalArn: config.relayAgentPrincipal,
    backupRetention: Duration.days(config.backupRetentionDays),
    ...(props.env ? { env: props.env } : {}),
  });

  const stateless = new StatelessStack(app, `${config.prefix}-stateless`, {
    description: 'RackOps: Lambdas, bot endpoint, state machines, scheduler, alarms',
    namePrefix: config.prefix,
    table: stateful.table,
    commandsQueue: stateful.commandsQueue,
    commandsDeadLetterQueue: stateful.commandsDeadLetterQueue,
    resultsQueue: stateful.resultsQueue,
    resultsDeadLetterQueue: stateful.resultsDeadLetterQueue,
    messagingKey: stateful.messagingKey,
    dataKey: stateful.dataKey,
    botCredentials: stateful.botCredentials,
    relaySigningKey: stateful.relaySigningKey,
    notifyWebhooks: stateful.notifyWebhooks,
    workflowDefinitions: props.workflowDefinitions,
    teamsAppId: config.teamsAppId,
    productionClusters: config.productionClusters,
    logRetention: retentionFor(config.logRetentionDays),
    bundle: config.bundle,
    heartbeatMissingMinutes: config.heartbeatMissingMinutes,
    inventorySchedules: config.inventorySchedules,
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    ...(config.catalogUrl ? { catalogUrl: config.catalogUrl } : {}),
    ...(config.notifyEmailFrom ? { notifyEmailFrom: config.notifyEmailFrom } : {}),
    ...(props.env ? { env: props.env } : {}),
  });
  return { app, config, stateful, stateless };
}
