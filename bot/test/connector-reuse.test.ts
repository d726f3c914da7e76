import { type Activity, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { ConnectorReusingAuthentication } from '../src/connector-reuse';

const activity = (serviceUrl: string) =>
  ({
    type: 'message',
    channelId: 'msteams',
    serviceUrl,
    conversation: { id: 'a:c1' },
    from: { id: '29:x' },
    recipient: { id: '28:bot' },
  }) as Activity;

// No app id: botbuilder accepts requests without a token (as the loopback endpoint does); the clients are the same.
const TEAMS = 'https://smba.trafficmanager.net/emea/';
const OTHER = 'https://smba.trafficmanager.net/amer/';

/** The factory a verified request's turn replies with (botbuilder always gives one). */
async function turnFactory(auth: ConfigurationBotFrameworkAuthentication, serviceUrl: string) {
  const result = await auth.authenticateRequest(activity(serviceUrl), '');
  if (!result.connectorFactory) throw new Error('no connector factory');
  return { ...result, connectorFactory: result.connectorFactory };
}

/** A verified turn's claims identity, as app id `appId` (a skill's, the bot's own). */
async function identities(auth: ConfigurationBotFrameworkAuthentication) {
  const { claimsIdentity } = await turnFactory(auth, TEAMS);
  return (appId: string) =>
    Object.assign(Object.create(Object.getPrototypeOf(claimsIdentity)), claimsIdentity, {
      claims: [{ type: 'aud', value: appId }],
    }) as typeof claimsIdentity;
}

describe('ConnectorReusingAuthentication', () => {
  it('gives every turn and proactive send to one service URL the same Bot Connector client', async () => {
    const auth = new ConnectorReusingAuthentication({});
    const first = await turnFactory(auth, TEAMS);
    const second = await turnFactory(auth, TEAMS);
    const client = await first.connectorFactory.create(TEAMS, first.audience);
    expect(await second.connectorFactory.create(TEAMS, second.audience)).toBe(client);
    const proactive = auth.createConnectorFactory(first.claimsIdentity);
    expect(await proactive.create(TEAMS, first.audience)).toBe(client);
    // Another endpoint or audience is another client, for that endpoint.
    const other = await second.connectorFactory.create(OTHER, second.audience);
    expect(other).not.toBe(client);
    expect((other as unknown as { baseUri: string }).baseUri).toBe(OTHER);
    expect(await second.connectorFactory.create(TEAMS, 'https://api.botframework.us')).not.toBe(client);
  });

  it("keeps apart the clients of different app ids (a skill's, the bot's own)", async () => {
    const auth = new ConnectorReusingAuthentication({});
    const as = await identities(auth);
    const a = await auth.createConnectorFactory(as('app-a')).create(TEAMS);
    expect(await auth.createConnectorFactory(as('app-a')).create(TEAMS)).toBe(a);
    expect(await auth.createConnectorFactory(as('app-b')).create(TEAMS)).not.toBe(a);
  });

  it("differs from botbuilder's own authentication, which makes a new client each time", async () => {
    const plain = new ConfigurationBotFrameworkAuthentication({});
    const { connectorFactory, audience } = await turnFactory(plain, TEAMS);
    expect(await connectorFactory.create(TEAMS, audience)).not.toBe(
      await connectorFactory.create(TEAMS, audience),
    );
  });

  it('gives every turn of one app id the same user token client; another app id gets its own', async () => {
    const auth = new ConnectorReusingAuthentication({});
    const as = await identities(auth);
    const a = await auth.createUserTokenClient(as('app-a'));
    expect(await auth.createUserTokenClient(as('app-a'))).toBe(a);
    expect(await auth.createUserTokenClient(as('app-b'))).not.toBe(a);
    // botbuilder's own makes one per call (per turn).
    const plain = new ConfigurationBotFrameworkAuthentication({});
    expect(await plain.createUserTokenClient(as('app-a'))).not.toBe(
      await plain.createUserTokenClient(as('app-a')),
    );
  });
});
