import { createBot } from '@rackops/bot/app';
import { BotConfig } from '@rackops/bot/config';
import { startDynalite, type RunningDynalite } from '@rackops/local/dynalite';
import { LocalEngine } from '@rackops/local/engine/local-engine';
import { createLocalOrchestrator } from '@rackops/local/engine/local-orchestrator';
import { createLocalScheduler } from '@rackops/local/scheduler/local-scheduler';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../src/adapters/dynamo-store';
import { botConfigOf, createBotHandler } from '../src/handlers/bot.handler';

describe('bot Lambda handler', () => {
  let dyn: RunningDynalite;
  let handler: ReturnType<typeof createBotHandler>;
  let engine: LocalEngine;
  beforeAll(async () => {
    dyn = await startDynalite();
    const store = createDynamoStore({ client: dyn.client(), tableName: 'rackops' });
    await store.migrate();
    engine = new LocalEngine({ store, definitions: {}, functions: {} });
    const orchestrator = createLocalOrchestrator(engine);
    const scheduler = createLocalScheduler({ store, fire: async () => undefined });
    // A configured app id: the adapter must see a valid Bot Framework token on every request.
    const adapter = new CloudAdapter(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
        MicrosoftAppPassword: 'not-a-real-secret',
        MicrosoftAppType: 'MultiTenant',
      }),
    );
    const bot = createBot({
      config: { cardSecret: 'lambda-test-secret-0123456789abcdef0123', defaultRole: 'viewer' },
      store,
      orchestrator,
      scheduler,
      startJob: async () => undefined,
      logger: pino({ level: 'silent' }),
    });
    handler = createBotHandler({ adapter, bot });
  });
  afterAll(async () => {
    await engine?.stop();
    await dyn?.close();
  });

  const activity = {
    type: 'message',
    text: 'help',
    channelId: 'msteams',
    serviceUrl: 'https://smba.invalid/',
    from: { id: '29:x' },
    recipient: { id: '28:bot' },
    conversation: { id: 'c1' },
  };

  it('refuses a request without a Bot Framework token', async () => {
    const res = await handler({
      body: JSON.stringify(activity),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('answers 400 to a body that is not JSON and 405 to other methods', async () => {
    expect((await handler({ body: '{nope', headers: {} })).statusCode).toBe(400);
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
