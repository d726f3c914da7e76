import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BotConfig } from '@rackops/bot/config';
import { ValidationError } from '@rackops/core/util/errors';
import { z } from 'zod';
import { requireSetting, settingsFromEnv } from '../composition/settings';

/** What the bot secret holds (env BOT_SECRET_ARN): the Microsoft app credentials and the bot config (roles, card key). */
export const BotSecret = z.object({
  microsoftAppId: z.string().min(1),
  microsoftAppPassword: z.string().min(1),
  microsoftAppTenantId: z.string().optional(),
  // No UserAssignedMSI: Azure managed identity does not exist on Lambda, and the bundle leaves @azure/identity out.
  microsoftAppType: z.enum(['MultiTenant', 'SingleTenant']).default('SingleTenant'),
  /**
   * How proactive sends authenticate to the Bot Connector: `entra` (a token for the app, always in Teams) or
   * `none`, for a loopback Bot Connector only (the local one in tests): no token is fetched.
   */
  connectorAuth: z.enum(['entra', 'none']).default('entra'),
  /**
   * The Bot Framework endpoints of a sovereign cloud (Teams GCC High / DoD, Azure China), where tokens come from
   * other issuers and keys: all four are needed together (botframework-connector's parameterized
   * authentication). Absent: the public cloud.
   */
  channel: z
    .object({
      openIdMetadataUrl: z.url(),
      tokenIssuer: z.string().min(1),
      loginUrl: z.url(),
      oAuthScope: z.string().min(1),
      oAuthUrl: z.url().optional(),
    })
    .optional(),
  config: BotConfig.omit({ appId: true }).loose(),
});
export type BotSecret = z.infer<typeof BotSecret>;

/** Read and validate the bot secret. */
export async function fetchBotSecret(client: SecretsManagerClient): Promise<BotSecret> {
  const out = await client.send(
    new GetSecretValueCommand({ SecretId: requireSetting(settingsFromEnv(), 'BOT_SECRET_ARN') }),
  );
  if (!out.SecretString) throw new ValidationError('the bot secret is empty');
  return BotSecret.parse(JSON.parse(out.SecretString));
}
