import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { type ChatServer, startChatServer } from '@rackops/local/web/chat-server';
import { createWindowStore } from '@rackops/core/windows/window-store';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWindow } from '../../core/test/windows/window-factory';
import { lambdaFunctions } from '../src/handlers';
import { type LocalEndpoint, startLocalScheduler, startLocalSecretsManager } from './entries/local-endpoints';
import { applyFunctionEnvironment, functionEnvironment } from './helpers/synth';

/**
 * The claim Lambda as CDK deploys it (its entry module, the environment of the synthesized template) fires a
 * maintenance window whose occurrence cannot start: the skip reaches the window's conversation through the
 * local Bot Connector, as the local stack's claim handler tells it — not only a log line.
 */
describe('the claim entry module, run with the environment CDK gives it', () => {
  let dyn: RunningDynalite;
  let chat: ChatServer;
  let secrets: LocalEndpoint<Map<string, string>>;
  let scheduler: LocalEndpoint<Map<string, Record<string, unknown>>>;
  const saved = { ...process.env };
  const TABLE = 'rackops-claim-entry-test';
  const BOT_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rackops/bot-AbCdEf';
  const HOOKS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rackops/notify-webhooks-AbCdEf';

  beforeAll(async () => {
    dyn = await startDynalite();
    chat = await startChatServer({
      adapter: new CloudAdapter(new ConfigurationBotFrameworkAuthentication({})),
      run: async () => undefined,
      logger: pino({ level: 'silent' }),
    });
    secrets = await startLocalSecretsManager(
      new Map([
        [
          BOT_ARN,
          JSON.stringify({
            microsoftAppId: '00000000-0000-0000-0000-00000000b07a',
            microsoftAppPassword: 'claim-test-password-never-logged',
            connectorAuth: 'none',
            config: { cardSecret: 'claim-test-card-secret-0123456789abcdef' },
          }),
        ],
        [HOOKS_ARN, '{}'],
      ]),
    );
    scheduler = await startLocalScheduler();
  });
  afterAll(async () => {
    process.env = saved;
    await chat?.close();
    await secrets?.close();
    await scheduler?.close();
    await dyn?.close();
  });

  it('tells the conversation that created a window when its occurrence is skipped at fire time', async () => {
    const env = functionEnvironment('rackops-claim');
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'TABLE_NAME',
        'BOT_SECRET_ARN',
        'NOTIFY_WEBHOOKS_SECRET_ARN',
        'SCHEDULE_GROUP_NAME',
      ]),
    );
    // Values that are CloudFormation references get the local counterparts' names.
    applyFunctionEnvironment(
      env,
      {
        TABLE_NAME: TABLE,
        BOT_SECRET_ARN: BOT_ARN,
        NOTIFY_WEBHOOKS_SECRET_ARN: HOOKS_ARN,
        STATE_MACHINE_ARNS: '{}',
      },
      {
        AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
      },
    );

    const store = createDynamoStore({ client: dyn.client(), tableName: TABLE });
    await store.migrate();
    const started = (await (
      await fetch(`${chat.url}v3/directline/conversations`, { method: 'POST' })
    ).json()) as { conversationId: string; token: string };
    const conv = started.conversationId;
    await store.putRecord({
      type: 'conversation',
      id: conv,
      data: {
        channelId: 'directline',
        serviceUrl: chat.url,
        conversation: { id: conv },
        bot: { id: 'rackops-bot', name: 'RackOps' },
        user: { id: 'local-operator' },
      },
    });
    // A weekly production window whose slot began two minutes ago and that no second person approved.
    const start = new Date(Date.now() - 2 * 60_000);
    const w = makeWindow({
      windowId: 'W-claim-skip',
      conversationId: conv,
      zone: 'UTC',
      startDate: start.toISOString().slice(0, 10),
      startTime: start.toISOString().slice(11, 16),
      durationMinutes: 60,
      recurrence: { kind: 'weekly', weekdays: [start.getUTCDay() || 7] },
    });
    await createWindowStore(store).createWindow(w);

    const entry = lambdaFunctions().find((h) => h.name === 'claim');
    expect(entry).toBeDefined();
    const handler = ((await import(entry!.entry)) as Record<string, (e: unknown) => Promise<unknown>>)[
      entry!.exportName
    ]!;
    const out = await handler({ kind: 'window', windowId: w.windowId });
    expect(out).toMatchObject({ outcome: 'window', windowId: w.windowId, status: 'skipped' });

    const res = await fetch(`${chat.url}v3/directline/conversations/${conv}/activities`, {
      headers: { authorization: `Bearer ${started.token}` },
    });
    const { activities } = (await res.json()) as { activities: { text?: string }[] };
    const told = activities.map((a) => a.text ?? '').filter((t) => t.startsWith('⏭️ Maintenance'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`window ${w.windowId}`);
    expect(told[0]).toMatch(/skipped: .*not approved by a second person/);
    const log = await store.listRecordsByParent<{ status: string; channel: string }>(
      'notification',
      `window:${w.windowId}`,
    );
    expect(log.items.map((r) => [r.data.channel, r.data.status])).toEqual([['conversation', 'delivered']]);
    // The series was re-armed for next week through the Scheduler API, with that occurrence's two reminders.
    expect([...scheduler.state.keys()].sort()).toEqual(
      [
        `rackops-schedules/window-${w.windowId}`,
        `rackops-schedules/window-${w.windowId}-remind-1h`,
        `rackops-schedules/window-${w.windowId}-remind-24h`,
      ].sort(),
    );

    // The same schedule delivered again (EventBridge retries at least once): the occurrence is not told twice.
    await handler({ kind: 'window', windowId: w.windowId });
    const again = (await (
      await fetch(`${chat.url}v3/directline/conversations/${conv}/activities`, {
        headers: { authorization: `Bearer ${started.token}` },
      })
    ).json()) as { activities: { text?: string }[] };
    expect(again.activities.filter((a) => (a.text ?? '').startsWith('⏭️ Maintenance'))).toHaveLength(1);
  }, 60_000);
});
