import { createBot } from '@rackops/bot/app';
import { BotConfig } from '@rackops/bot/config';
import { startDynalite, type RunningDynalite } from '@rackops/local/dynalite';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { createLocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { type LocalBotFramework, startLocalBotFramework } from '@rackops/local/testing/bot-framework';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../src/adapters/dynamo-store';
import { botFrameworkAuthOf } from '../src/handlers/bot-auth';
import { BotSecret } from '../src/handlers/bot-secret';
import { VerifiedRequestAdapter, botConfigOf, createBotHandler } from '../src/handlers/bot.handler';

const APP_ID = '00000000-0000-4000-8000-00000000b07a';

describe('bot Lambda handler', () => {
  let dyn: RunningDynalite;
  let handler: ReturnType<typeof createBotHandler>;
  let engine: LocalEngine;
  let bf: LocalBotFramework;
  /** Token verifications, by the handler and by the adapter alike (the same authentication object). */
  let verifications = 0;
  beforeAll(async () => {
    bf = await startLocalBotFramework();
    dyn = await startDynalite();
    const store = createDynamoStore({ client: dyn.client(), tableName: 'rackops' });
    await store.migrate();
    engine = new LocalEngine({ store, definitions: {}, functions: {} });
    const orchestrator = createLocalOrchestrator(engine);
    const scheduler = createLocalScheduler({ store, fire: async () => undefined });
    // As deployed (bot-auth.ts), with the channel endpoints of the local Bot Framework, whose key signs the tokens.
    const auth = botFrameworkAuthOf(
      BotSecret.parse({
        microsoftAppId: APP_ID,
        microsoftAppPassword: 'not-a-real-secret',
        microsoftAppTenantId: '00000000-0000-4000-8000-0000000000aa',
        connectorAuth: 'none',
        channel: {
          openIdMetadataUrl: `${bf.endpoint}/openid`,
          tokenIssuer: bf.issuer,
          loginUrl: `${bf.endpoint}/login`,
          oAuthScope: 'https://api.botframework.local',
        },
        config: { cardSecret: 'lambda-test-secret-0123456789abcdef0123' },
      }),
    );
    const verify = auth.authenticateRequest.bind(auth);
    auth.authenticateRequest = (...args) => {
      verifications++;
      return verify(...args);
    };
    const bot = createBot({
      config: { cardSecret: 'lambda-test-secret-0123456789abcdef0123', defaultRole: 'viewer' },
      store,
      orchestrator,
      scheduler,
      startJob: async () => undefined,
      logger: pino({ level: 'silent' }),
    });
    handler = createBotHandler({ auth, adapter: new VerifiedRequestAdapter(auth), bot });
  });
  afterAll(async () => {
    await engine?.stop();
    await dyn?.close();
    await bf?.close();
  });

  const activity = () => ({
    type: 'message',
    id: 'act-1',
    text: 'help',
    channelId: 'msteams',
    serviceUrl: `${bf.endpoint}/`,
    from: { id: '29:x', aadObjectId: 'aad-x' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: 'a:c1', conversationType: 'personal' },
  });
  const post = (body: unknown, token?: string) =>
    handler({
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      requestContext: { http: { method: 'POST' } },
    });

  it('answers a request with a valid Bot Framework token, verifying the token once', async () => {
    const before = verifications;
    const res = await post(activity(), bf.token(APP_ID, `${bf.endpoint}/`));
    expect(res.statusCode).toBe(200);
    expect(verifications - before).toBe(1);
    const replies = bf.sent.filter((s) => s.path.startsWith('/v3/conversations/a%3Ac1/'));
    expect(replies.map((r) => JSON.stringify(r.activity)).join('\n')).toMatch(/update cluster/);
  });

  it("refuses no token, a forged, an expired or another app's token with a bare 401, and the bot says nothing", async () => {
    const serviceUrl = `${bf.endpoint}/`;
    const token = bf.token(APP_ID, serviceUrl);
    const sentBefore = bf.sent.length;
    for (const bad of [
      undefined,
      `${token.slice(0, -8)}AAAAAAAA`,
      bf.token(APP_ID, serviceUrl, { expiresInS: -3600 }),
      bf.token('00000000-0000-4000-8000-0000000000ff', serviceUrl),
    ]) {
      const res = await post(activity(), bad);
      expect(res).toEqual({ statusCode: 401, body: '' });
    }
    expect(bf.sent.length).toBe(sentBefore);
  });

  it("returns an invoke's answer (Action.Execute) as the response body", async () => {
    const invoke = { ...activity(), type: 'invoke', name: 'adaptiveCard/action', value: { action: 'x' } };
    delete (invoke as { text?: string }).text;
    const res = await post(invoke, bf.token(APP_ID, `${bf.endpoint}/`));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      statusCode: 200,
      value: expect.stringMatching(/not valid/),
    });
  });

  it('answers 400 to a body that is not JSON or not an activity, and 405 to other methods', async () => {
    expect((await handler({ body: '{nope', headers: {} })).statusCode).toBe(400);
    expect((await handler({ body: '{"text":"help"}', headers: {} })).statusCode).toBe(400);
    expect((await handler({ body: '[1]', headers: {} })).statusCode).toBe(400);
    expect(
      (await handler({ body: '{}', headers: {}, requestContext: { http: { method: 'GET' } } })).statusCode,
    ).toBe(405);
  });
});

describe('bot config in AWS', () => {
  it("adds PRODUCTION_CLUSTERS (the CDK context, as the stack writes it) to the secret's production clusters", () => {
    const secret = {
      microsoftAppId: 'app-1',
      config: BotConfig.omit({ appId: true }).parse({
        cardSecret: 'a-card-secret-of-at-least-32-characters',
        productionClusters: ['prod-x'],
      }),
    };
    const env = { PRODUCTION_CLUSTERS: JSON.stringify(['lab-b', 'vc-lab/domain-c1001']) };
    expect(BotConfig.parse(botConfigOf(secret, env))).toMatchObject({
      appId: 'app-1',
      productionClusters: ['prod-x', 'lab-b', 'vc-lab/domain-c1001'],
    });
    expect(BotConfig.parse(botConfigOf(secret, {})).productionClusters).toEqual(['prod-x']);
  });
});
