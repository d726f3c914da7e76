import { ConnectorReusingAuthentication } from '@rackops/bot/connector-reuse';
import {
  type ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
} from 'botbuilder';
import type { BotSecret } from './bot-secret';

/**
 * `connectorAuth: 'none'`: incoming requests are still checked (a valid Bot Framework token for this app id),
 * but replies carry no token — allowed only to a Bot Connector on loopback (the local one), never elsewhere.
 */
class LoopbackConnectorCredentials extends ConfigurationServiceClientCredentialFactory {
  override async createCredentials(): Promise<Credentials> {
    return {
      signRequest: async (request: { url: string }) => {
        const host = new URL(request.url).hostname;
        if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]')
          throw new Error(`connectorAuth "none" sends only to a loopback Bot Connector, not to ${host}`);
        return request;
      },
    } as unknown as Credentials;
  }
}
type Credentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;

/** How the bot Lambda checks incoming Bot Framework tokens and authenticates its replies, from the bot secret. */
export function botFrameworkAuthOf(secret: BotSecret): ConfigurationBotFrameworkAuthentication {
  const c = secret.channel;
  return new ConnectorReusingAuthentication(
    {
      MicrosoftAppId: secret.microsoftAppId,
      MicrosoftAppPassword: secret.microsoftAppPassword,
      MicrosoftAppType: secret.microsoftAppType,
      ...(secret.microsoftAppTenantId ? { MicrosoftAppTenantId: secret.microsoftAppTenantId } : {}),
      ...(c
        ? {
            ToBotFromChannelOpenIdMetadataUrl: c.openIdMetadataUrl,
            ToBotFromChannelTokenIssuer: c.tokenIssuer,
            ToChannelFromBotLoginUrl: c.loginUrl,
            ToChannelFromBotOAuthScope: c.oAuthScope,
            ...(c.oAuthUrl ? { OAuthUrl: c.oAuthUrl } : {}),
            ValidateAuthority: true,
          }
        : {}),
    },
    secret.connectorAuth === 'none'
      ? new LoopbackConnectorCredentials({
          MicrosoftAppId: secret.microsoftAppId,
          MicrosoftAppPassword: secret.microsoftAppPassword,
          MicrosoftAppType: secret.microsoftAppType,
          ...(secret.microsoftAppTenantId ? { MicrosoftAppTenantId: secret.microsoftAppTenantId } : {}),
        })
      : undefined,
  );
}
