import type { SettingName } from './settings';

/**
 * What a function may do in AWS, named by use: infra turns each into the narrowest IAM statements (and the
 * results queue's event source), so a function's role holds exactly the grants listed for it below.
 */
export type Grant =
  /** Items of the table and its indexes, through the table's KMS key. */
  | 'table'
  /** The bot secret: app credentials for Teams (the bot's turns, proactive messages and live cards). */
  | 'botSecret'
  /** The relay signing key: dispatch signs with it, result verifies with it. */
  | 'relayKey'
  /** Send to the relay commands queue. */
  | 'sendCommands'
  /** Be the results queue's consumer (event source mapping). */
  | 'consumeResults'
  /** Queue depths of the relay queues and a zero-visibility peek at their dead-letter queues (`health`). */
  | 'queueDepths'
  /** Start executions of the RackOps state machines. */
  | 'startWorkflows'
  /** Describe and stop RackOps executions. */
  | 'watchExecutions'
  /** Answer Step Functions tasks (success, failure, heartbeat). */
  | 'answerTasks'
  /** Create, update and delete schedules in the RackOps group, handing them the scheduler role. */
  | 'manageSchedules'
  /** List the group's schedules (reconcile removes the ones the deployment no longer declares). */
  | 'listSchedules'
  /** Deliver notifications beyond Teams: the webhooks secret and SES, when configured. */
  | 'notify';

/** One deployed Lambda: what infra bundles and how, and what it is given. */
export interface LambdaFunctionSpec {
  /** Physical name `<prefix>-<name>`. */
  readonly name: string;
  /** The entry module, from the repository root; Lambda calls its default export. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly description: string;
  /** The environment settings (composition/settings.ts) its code reads; only these are set. */
  readonly settings: readonly SettingName[];
  readonly grants: readonly Grant[];
}

/** What every function reads: the Store's table and the log level. */
const BASE: readonly SettingName[] = ['TABLE_NAME', 'LOG_LEVEL'];
/** The workflow Lambdas' notifications (notifications/aws-notifier.ts `awsNotifications`). */
const NOTIFY_SETTINGS: readonly SettingName[] = [
  'BOT_SECRET_ARN',
  'TEAMS_APP_ID',
  'NOTIFY_WEBHOOKS_SECRET_ARN',
  'NOTIFY_EMAIL_FROM',
];
const NOTIFY_GRANTS: readonly Grant[] = ['botSecret', 'notify'];
/** The EventBridge scheduler adapter (composition/platform.ts `scheduler`). */
const SCHEDULER_SETTINGS: readonly SettingName[] = [
  'SCHEDULE_GROUP_NAME',
  'CLAIM_FUNCTION_ARN',
  'SCHEDULER_ROLE_ARN',
  'SCHEDULES_DLQ_ARN',
];

/**
 * Every Lambda RackOps deploys, and nothing else: infra bundles exactly these entries (no discovery), and
 * infra/test/function-list.test.ts fails when a handler module exists that is not listed here or listed
 * modules are missing. Modules in lambdas/src/handlers that are building blocks, not Lambdas, are in
 * BUILDING_BLOCKS. Timeouts: the bot must answer Teams within 15 s; the result Lambda's bounds the results
 * queue's visibility timeout (6x, see StatefulStack).
 */
export const LAMBDA_FUNCTIONS: readonly LambdaFunctionSpec[] = [
  {
    name: 'bot',
    entry: 'lambdas/src/handlers/bot.handler.ts',
    memoryMb: 1024,
    timeoutSeconds: 15,
    description: 'Teams bot: commands, cards, approvals',
    settings: [
      ...BASE,
      ...NOTIFY_SETTINGS,
      ...SCHEDULER_SETTINGS,
      'STATE_MACHINE_ARNS',
      'PRODUCTION_CLUSTERS',
      'CATALOG_URL',
      // `health` reads the relay queues' depths.
      'COMMANDS_QUEUE_URL',
      'RESULTS_QUEUE_URL',
      'COMMANDS_DLQ_URL',
      'RESULTS_DLQ_URL',
    ],
    grants: [
      'table',
      ...NOTIFY_GRANTS,
      'startWorkflows',
      'watchExecutions',
      'answerTasks',
      'manageSchedules',
      'queueDepths',
    ],
  },
  {
    name: 'claim',
    entry: 'lambdas/src/handlers/claim.handler.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Claims due jobs and starts workflows',
    settings: [...BASE, ...NOTIFY_SETTINGS, ...SCHEDULER_SETTINGS, 'STATE_MACHINE_ARNS', 'HEALTH_READS'],
    grants: ['table', ...NOTIFY_GRANTS, 'startWorkflows', 'watchExecutions', 'manageSchedules'],
  },
  {
    name: 'dispatch',
    entry: 'lambdas/src/handlers/dispatch.handler.ts',
    memoryMb: 512,
    timeoutSeconds: 20,
    description: 'Signs and sends relay commands',
    settings: [...BASE, 'COMMANDS_QUEUE_URL', 'RELAY_SIGNING_KEY_SECRET_ARN'],
    grants: ['table', 'relayKey', 'sendCommands'],
  },
  {
    name: 'execution-status',
    entry: 'lambdas/src/handlers/execution-status.handler.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Fails jobs whose execution ended unfinished',
    settings: [...BASE, ...NOTIFY_SETTINGS],
    grants: ['table', ...NOTIFY_GRANTS],
  },
  {
    name: 'job-ops',
    entry: 'lambdas/src/handlers/job-ops.handler.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Workflow bookkeeping: steps, pause',
    settings: [...BASE, ...NOTIFY_SETTINGS, 'CATALOG_URL'],
    // A host's begin waits on a task token; the op that frees it answers it.
    grants: ['table', ...NOTIFY_GRANTS, 'answerTasks'],
  },
  {
    name: 'reconcile',
    entry: 'lambdas/src/handlers/reconcile.handler.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Keeps the recurring schedules the deployment declares',
    settings: [...BASE, ...SCHEDULER_SETTINGS, 'INVENTORY_SCHEDULES'],
    grants: ['table', 'manageSchedules', 'listSchedules'],
  },
  {
    name: 'result',
    entry: 'lambdas/src/handlers/result.handler.ts',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Records relay results, answers tasks',
    // The bot secret: the job's live card follows each result.
    settings: [
      ...BASE,
      ...NOTIFY_SETTINGS,
      'STATE_MACHINE_ARNS',
      'RELAY_SIGNING_KEY_SECRET_ARN',
      'INVENTORY_DROP_THRESHOLD_PCT',
    ],
    grants: ['table', ...NOTIFY_GRANTS, 'relayKey', 'consumeResults', 'answerTasks'],
  },
];

/** Modules in lambdas/src/handlers named `*.handler.ts` that other handlers compose; not Lambdas themselves. */
export const BUILDING_BLOCKS: readonly string[] = [
  'lambdas/src/handlers/inventory-page.handler.ts',
  'lambdas/src/handlers/inventory-schedule.handler.ts',
];
