import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Orchestrator } from '@rackops/core/ports/orchestrator.port';
import type { Scheduler } from '@rackops/core/ports/scheduler.port';
import { LOCAL_BOT_CONFIG } from '@rackops/local/web/local-bot';
import { type RunningDynalite, startDynalite } from '@rackops/local/dynalite';
import { type ChatServer, startChatServer } from '@rackops/local/web/chat-server';
import { build } from 'esbuild';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaBuildOptions } from '../src/bundling';
import { REPO_ROOT } from '../src/handlers';

type BundledBot = typeof import('./fixtures/bundled-bot.entry');

/**
 * The bot as the Lambda bundle holds it (stand-ins for teams-ai's AI and sign-in modules, one zod, English zod
 * locales), answering over HTTP through its own CloudAdapter: a stand-in reached on a normal turn fails here.
 */
describe('the bundled bot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackops-bundled-bot-'));
  const outfile = join(dir, 'index.mjs');
  let inputs: string[] = [];
  let dyn: RunningDynalite;
  let chat: ChatServer;
  let mod: BundledBot;

  beforeAll(async () => {
    const result = await build({
      ...lambdaBuildOptions(join(REPO_ROOT, 'infra/test/fixtures/bundled-bot.entry.ts'), outfile, REPO_ROOT),
      sourcemap: false,
      logLevel: 'silent',
    });
    inputs = Object.keys(result.metafile?.inputs ?? {});
    mod = (await import(pathToFileURL(outfile).href)) as BundledBot;
    dyn = await startDynalite();
    const client = new mod.DynamoDBClient({
      endpoint: dyn.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = mod.createDynamoStore({ client, tableName: 'rackops' });
    await store.migrate();
    const adapter = new mod.CloudAdapter(new mod.ConfigurationBotFrameworkAuthentication({}));
    const unused = (what: string) => () => {
      throw new Error(`${what} is not used by this test`);
    };
    const bot = mod.createBot({
      config: LOCAL_BOT_CONFIG,
      store,
      orchestrator: new Proxy({}, { get: (_, k) => unused(String(k)) }) as Orchestrator,
      scheduler: new Proxy({}, { get: (_, k) => unused(String(k)) }) as Scheduler,
      startJob: unused('startJob'),
      logger: pino({ level: 'silent' }),
    });
    chat = await startChatServer({
      // The chat server's botbuilder types are the unbundled copy's; the bundled adapter is the same class.
      adapter: adapter as unknown as Parameters<typeof startChatServer>[0]['adapter'],
      run: (ctx) => bot.run(ctx as never),
      logger: pino({ level: 'silent' }),
    });
  }, 60_000);

  afterAll(async () => {
    await chat?.close();
    await dyn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds none of teams-ai AI modules, tokenizers or dialogs, one zod 4, and fits in 2 MiB', () => {
    const from = (pkg: string) => inputs.filter((i) => i.includes(`node_modules/${pkg}/`));
    for (const pkg of [
      'gpt-tokenizer',
      'openai',
      'botbuilder-dialogs',
      '@microsoft/recognizers-text-suite',
      'whatwg-url',
    ])
      expect(from(pkg), pkg).toEqual([]);
    const zod4Dirs = new Set(
      inputs
        .filter((i) => !i.includes(':') && /\/node_modules\/zod\/v4\//.test(i))
        .map((i) => i.slice(0, i.indexOf('/zod/'))),
    );
    expect([...zod4Dirs]).toHaveLength(1);
    expect(inputs.filter((i) => !i.includes(':') && /zod\/v4\/locales\/(?!en\.js)/.test(i))).toEqual([]);
    expect(statSync(outfile).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('greets and answers a command over HTTP, through its CloudAdapter', async () => {
    const base = chat.url;
    const open = await fetch(`${base}v3/directline/conversations`, { method: 'POST' });
    const { conversationId, token } = (await open.json()) as { conversationId: string; token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const activities = `${base}v3/directline/conversations/${conversationId}/activities`;
    const botSaid = async (watermark: number) => {
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${activities}?watermark=${watermark}`, { headers });
        const body = (await res.json()) as { activities: { text?: string; from?: { role?: string } }[] };
        const said = body.activities.filter((a) => a.from?.role === 'bot');
        if (said.length > 0) return said;
      }
      throw new Error('the bot said nothing');
    };
    const welcome = await botSaid(0);
    expect(welcome[0]?.text).toContain('RackOps');
    await fetch(activities, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'message', text: 'help', from: { id: 'local-operator' } }),
    });
    const help = await botSaid(welcome.length + 1);
    expect(JSON.stringify(help)).toMatch(/update cluster/);
  });
});
