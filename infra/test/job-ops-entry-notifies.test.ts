import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDynalite, type RunningDynalite } from '@rackops/local/dynalite';
import { type ChatServer, startChatServer } from '@rackops/local/web/chat-server';
import { lambdaFunctions } from '../src/handlers';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aJob } from '../../core/test/job-factory';
import { applyFunctionEnvironment, functionEnvironment } from './helpers/synth';
import { createDynamoStore } from '@rackops/lambdas/adapters/dynamo-store';

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Secrets Manager's GetSecretValue (JSON protocol) over loopback, for the secrets the entry module reads. */
async function startSecretsManager(
  secrets: Record<string, string>,
): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { SecretId?: string };
    const value = body.SecretId ? secrets[body.SecretId] : undefined;
    if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      return void res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such secret' }));
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({ ARN: body.SecretId, Name: body.SecretId, SecretString: value, VersionId: 'v1' }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the job-ops entry module CDK bundles, run with the environment CDK gives it', () => {
  let dyn: RunningDynalite;
  let chat: ChatServer;
  let sm: { url: string; server: Server };
  const saved = { ...process.env };
  const TABLE = 'rackops-entry-test';
  const BOT_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rackops/bot-AbCdEf';
  const HOOKS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rackops/notify-webhooks-AbCdEf';

  beforeAll(async () => {
    dyn = await startDynalite();
    chat = await startChatServer({
      adapter: new CloudAdapter(new ConfigurationBotFrameworkAuthentication({})),
      run: async () => undefined,
      logger: pino({ level: 'silent' }),
    });
    sm = await startSecretsManager({
      [BOT_ARN]: JSON.stringify({
        microsoftAppId: '00000000-0000-0000-0000-00000000b07a',
        microsoftAppPassword: 'entry-test-password-never-logged',
        connectorAuth: 'none',
        config: { cardSecret: 'entry-test-card-secret-0123456789abcdef' },
      }),
      [HOOKS_ARN]: '{}',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await chat?.close();
    sm?.server.closeAllConnections();
    await new Promise((r) => sm?.server.close(r));
    await dyn?.close();
  });

  it('posts the pause message to the job conversation through the local Bot Connector (continueConversation)', async () => {
    // The variable names come from the synthesized template; values that are CloudFormation references get the
    // local counterparts' names.
    const env = functionEnvironment('rackops-job-ops');
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'BOT_SECRET_ARN', 'NOTIFY_WEBHOOKS_SECRET_ARN']),
    );
    applyFunctionEnvironment(
      env,
      {
        TABLE_NAME: TABLE,
        BOT_SECRET_ARN: BOT_ARN,
        NOTIFY_WEBHOOKS_SECRET_ARN: HOOKS_ARN,
      },
      {
        AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
      },
    );

    const store = createDynamoStore({ client: dyn.client(), tableName: TABLE });
    await store.migrate();
    // A Web Chat conversation on the local Bot Connector, and the reference the bot would have stored for it.
    const started = (await (
      await fetch(`${chat.url}v3/directline/conversations`, { method: 'POST' })
    ).json()) as {
      conversationId: string;
      token: string;
    };
    await store.putRecord({
      type: 'conversation',
      id: started.conversationId,
      data: {
        channelId: 'directline',
        serviceUrl: chat.url,
        conversation: { id: started.conversationId },
        bot: { id: 'rackops-bot', name: 'RackOps' },
        user: { id: 'local-operator' },
      },
    });
    const job = await store.createJob(
      aJob({ conversationId: started.conversationId, params: { clusterName: 'prod-a' } }),
    );
    await store.transitionJob(job.id, { type: 'start', actor: { kind: 'system', id: 'rackops' } });

    const entry = lambdaFunctions().find((h) => h.name === 'job-ops');
    expect(entry).toBeDefined();
    const mod = (await import(entry!.entry)) as Record<string, (event: unknown) => Promise<unknown>>;
    const handler = mod[entry!.exportName]!;
    await handler({
      op: 'pause',
      jobId: job.id,
      taskToken: 'token-entry-test',
      reason: '1 host(s) have VMs that block maintenance mode',
      kind: 'blockers',
    });
    expect((await store.getJob(job.id))?.status).toBe('paused');

    const res = await fetch(`${chat.url}v3/directline/conversations/${started.conversationId}/activities`, {
      headers: { authorization: `Bearer ${started.token}` },
    });
    const { activities } = (await res.json()) as { activities: { text?: string; from?: { id?: string } }[] };
    const texts = activities.map((a) => a.text ?? '');
    expect(texts.some((t) => t.startsWith('⏸️ Paused') && t.includes(job.id))).toBe(true);
    expect(activities.every((a) => a.from?.id === 'rackops-bot')).toBe(true);
    // The delivery is in the notification log, once.
    const log = await store.listRecordsByParent<{ status: string; channel: string }>(
      'notification',
      `job:${job.id}`,
    );
    expect(log.items.map((r) => [r.data.channel, r.data.status])).toEqual([['conversation', 'delivered']]);
  }, 30_000);

  it("updates the job's card in place after a step write, at most once per interval", async () => {
    // Runs after the test above: the environment and the entry module's warm state are the same container's.
    const store = createDynamoStore({ client: dyn.client(), tableName: TABLE });
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
    const job = await store.createJob(aJob({ conversationId: conv }));
    await store.transitionJob(job.id, { type: 'start', actor: { kind: 'system', id: 'rackops' } });
    // The card the bot posted when the job started, and where it keeps it.
    const posted = (await (
      await fetch(`${chat.url}v3/conversations/${conv}/activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'starting' }),
      })
    ).json()) as { id: string };
    await store.putRecord({
      type: 'job-card',
      id: job.id,
      data: { conversationId: conv, activityId: posted.id, cid: 'c-entry', page: 0, final: false },
    });
    const cardText = async (): Promise<string> => {
      const res = await fetch(`${chat.url}v3/directline/conversations/${conv}/activities`, {
        headers: { authorization: `Bearer ${started.token}` },
      });
      const { activities } = (await res.json()) as { activities: { id: string }[] };
      return JSON.stringify(activities.filter((a) => a.id === posted.id).at(-1) ?? {});
    };
    const entry = lambdaFunctions().find((h) => h.name === 'job-ops')!;
    const handler = ((await import(entry.entry)) as Record<string, (e: unknown) => Promise<unknown>>)[
      entry.exportName
    ]!;
    const step = (key: string, name: string) =>
      handler({ op: 'step', jobId: job.id, step: { key, name, status: 'running' } });
    await step('s1', 'Enter maintenance mode LABA001');
    const first = await cardText();
    expect(first).toContain('Enter maintenance mode LABA001');
    expect(first).toContain('"refresh"');
    // Inside the interval (the bot config's progressMinIntervalMs, 2 s by default): not sent.
    await step('s2', 'Apply firmware LABA001');
    expect(await cardText()).not.toContain('Apply firmware LABA001');
  }, 30_000);
});
