import { type Activity, ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

/** Bot Connector endpoints (Teams has a few regional ones) × audiences: more than this means something is off. */
const MAX_CLIENTS = 64;

/**
 * botbuilder's authentication, with one Bot Connector client per (app id, service URL, audience) kept for the
 * life of the process instead of a new one per turn and per proactive send. Building a ConnectorClient (its
 * credentials, its request pipeline and policies) for each turn made a send to a loopback Bot Connector cost
 * 0.21 ms of CPU instead of 0.13 ms (server included). The client holds no per-turn state: the credentials are
 * the app's, their tokens are cached by botbuilder per app and scope, the HTTP connections are shared anyway.
 */
export class ConnectorReusingAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  /**
   * botbuilder makes a user token client (credentials, a token API client and its request pipeline) for every
   * turn, used only by OAuth prompts, which RackOps has none of: 0.36 ms of the bot's CPU per turn in the bot
   * bench's profile. One per app id serves every turn; like the connector clients it holds no per-turn state.
   */
  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = appIdOf(claimsIdentity);
    let client = this.userTokenClients.get(key);
    if (!client) {
      if (this.userTokenClients.size >= MAX_CLIENTS) this.userTokenClients.clear();
      client = super.createUserTokenClient(claimsIdentity);
      client.catch(() => this.userTokenClients.delete(key));
      this.userTokenClients.set(key, client);
    }
    return client;
  }

  override async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']> {
    const result = await super.authenticateRequest(activity, authHeader);
    const factory = result.connectorFactory;
    return factory ? { ...result, connectorFactory: this.reusing(factory, result.claimsIdentity) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(super.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  private reusing(inner: ConnectorFactory, identity: ClaimsIdentity): ConnectorFactory {
    const appId = appIdOf(identity);
    return {
      create: (serviceUrl: string, audience?: string) => {
        const key = JSON.stringify([appId, serviceUrl, audience ?? '']);
        let client = this.clients.get(key);
        if (!client) {
          if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
          client = inner.create(serviceUrl, audience);
          // A client that could not be made (credentials) is asked for again next time.
          client.catch(() => this.clients.delete(key));
          this.clients.set(key, client);
        }
        return client;
      },
    } as ConnectorFactory;
  }
}

/** The app id botbuilder makes its clients for (its getAppId): a skill's or the emulator's differs. */
function appIdOf(identity: ClaimsIdentity): string {
  return identity.getClaimValue('aud') ?? identity.getClaimValue('appid') ?? '';
}
