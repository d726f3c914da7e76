import { ValidationError } from '@rackops/core/util/errors';
import { z } from 'zod';

// An empty variable is an unset one (CDK writes '' for an absent optional value).
const optional = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/**
 * The environment variables infra sets, each read here and nowhere else. Every one is optional in the schema
 * because each function is given only the ones it uses; `requireSetting` fails the invocation that needs a
 * missing one, with its name.
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
});
export type Settings = z.infer<typeof SettingsEnv>;
export type SettingName = keyof Settings;

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
