import { ValidationError } from '@rackops/core/util/errors';
import { z } from 'zod';

// An empty variable is an unset one (CDK writes '' for an absent optional value).
const optional = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/**
 * The environment variables infra sets, and only these: each function's environment is the names
 * composition/functions.ts lists for it, typed by this schema. Every one is optional here because each function
 * is given only the ones it uses; `requireSetting` fails the invocation that needs a missing one, with its name.
 */
export const SettingsEnv = z.object({
  TABLE_NAME: optional,
  BOT_SECRET_ARN: optional,
  COMMANDS_QUEUE_URL: optional,
  /** JSON `{ "<workflow name>": "<state machine arn>" }` (see sfn-orchestrator.ts). */
  STATE_MACHINE_ARNS: optional,
  RELAY_SIGNING_KEY_SECRET_ARN: optional,
  SCHEDULE_GROUP_NAME: optional,
  CLAIM_FUNCTION_ARN: optional,
  SCHEDULER_ROLE_ARN: optional,
  SCHEDULES_DLQ_ARN: optional,
  CATALOG_URL: optional,
  LOG_LEVEL: optional,
  /** `off` stops the claim function's hardware health reads on each vCenter sync tick (on otherwise). */
  HEALTH_READS: optional,
  /** The relay queues `health` watches (adapters/sqs-queue-stats.ts). */
  RESULTS_QUEUE_URL: optional,
  COMMANDS_DLQ_URL: optional,
  RESULTS_DLQ_URL: optional,
  /** The Teams app id, for links back to the chat in notifications. */
  TEAMS_APP_ID: optional,
  /** JSON array of cluster ids whose changes need a second approver (the bot). */
  PRODUCTION_CLUSTERS: optional,
  /** JSON: the recurring inventory syncs the reconcile function keeps. */
  INVENTORY_SCHEDULES: optional,
  /** How far a source's counts may fall in one sync before gone-marks wait for a person (handlers/inventory-page.handler.ts). */
  INVENTORY_DROP_THRESHOLD_PCT: optional,
  NOTIFY_WEBHOOKS_SECRET_ARN: optional,
  NOTIFY_EMAIL_FROM: optional,
});
export type Settings = z.infer<typeof SettingsEnv>;
export type SettingName = keyof Settings;

/** The only read of the environment in lambdas/src (lambdas/test/composition.test.ts keeps it so). */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = SettingsEnv.safeParse(env);
  if (!parsed.success) throw new ValidationError(`bad environment: ${parsed.error.message}`);
  return parsed.data;
}

export function requireSetting(settings: Settings, name: SettingName): string {
  const value = settings[name];
  if (!value) throw new ValidationError(`environment variable ${name} is not set`);
  return value;
}
