import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bot } from '@rackops/bot/app';
import type { BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack';
import { type LocalBot, startLocalBot } from '../src/web/local-bot';
import { ARTIFACTS, launchChromium, send } from './helpers/browser';

/**
 * The whole thing, as a new user would meet it: `npm start`'s pieces (D's local stack with the default lab and the
 * relay agent, E's rolling-update workflow, this bot and web chat) in headless Debian chromium.
 */
describe('web chat on the full local stack: update cluster lab-a end to end', () => {
  let stack: LocalStack;
  let localBot: LocalBot;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    let bot: Bot | undefined;
    stack = await startLocalStack({
      lab: true,
      agent: true,
      timeScale: 1 / 60,
      notifier: { notify: async (e) => bot?.notifier.notify(e) },
    });
    localBot = await startLocalBot({
      store: stack.store,
      orchestrator: stack.orchestrator,
      scheduler: stack.scheduler,
      startJob: stack.startJob,
      logger: pino({ level: 'silent' }),
      config: { inventorySources: [{ source: 'vcenter', id: 'vc-lab' }] },
    });
    bot = localBot.bot;
    profile = mkdtempSync(join(tmpdir(), 'rackops-chromium-'));
    context = await launchChromium(profile, 1600);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await localBot?.close();
    await stack?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('inventory sync, update cluster lab-a, blocker card answered by clicking, completion message', async () => {
    const page = await context.newPage();
    await page.goto(`${localBot.chat.url}?user=local-operator&name=Olga%20Operator`);
    await page.getByText('I update Dell firmware').first().waitFor({ timeout: 20_000 });
    await send(page, 'inventory sync vcenter vc-lab');
    // The sync finishes in the background; its card follows it. Wait on the Store to keep this robust.
    for (let i = 0; i < 600; i++) {
      const sync = (await stack.store.listJobsByTarget('vcenter', 'vc-lab', { limit: 1 })).items[0];
      if (sync && ['completed', 'failed', 'cancelled'].includes(sync.status)) {
        expect(sync.status).toBe('completed');
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await send(page, 'update cluster lab-a');
    const resume = page.getByRole('button', { name: 'Resume job' }).first();
    await resume.waitFor({ timeout: 180_000 });
    await page.getByText('local storage').first().waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-stack-blockers.png'), fullPage: true });
    await resume.click();
    await page.getByText('Resumed by Olga Operator').first().waitFor({ timeout: 30_000 });
    // Completed or failed, the chat says so; the screenshot records which.
    await page
      .getByText(/(Completed|Failed): cluster lab-a/)
      .first()
      .waitFor({ timeout: 840_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-stack-finished.png'), fullPage: true });
    expect(await page.getByText(/Completed: cluster lab-a/).count()).toBeGreaterThan(0);
    const job = (
      await stack.store.listJobsByTarget(
        'cluster',
        (
          await stack.store.listRecordsByType<{ name: string }>('cluster')
        ).items.find((c) => c.data.name === 'lab-a')!.id,
        { limit: 1 },
      )
    ).items[0];
    expect(job?.status).toBe('completed');
    await page.close();
  }, 1_000_000);
});
