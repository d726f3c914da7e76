import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bot } from '@rackops/bot/app';
import type { BotConfigInput } from '@rackops/bot/config';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack';
import { type LocalBot, startLocalBot } from '../src/web/local-bot';
import { ARTIFACTS, launchChromium, send } from './helpers/browser';

/** `npm start`'s pieces: the local stack with the default lab and the relay agent, this bot and web chat. */
async function startFullStack(
  config: Partial<BotConfigInput> = {},
  timeScale = 1 / 60,
): Promise<{ stack: LocalStack; localBot: LocalBot }> {
  let bot: Bot | undefined;
  const stack = await startLocalStack({
    lab: true,
    agent: true,
    timeScale,
    notifier: { notify: async (e) => bot?.notifier.notify(e) },
  });
  const localBot = await startLocalBot({
    store: stack.store,
    orchestrator: stack.orchestrator,
    scheduler: stack.scheduler,
    startJob: stack.startJob,
    logger: pino({ level: 'silent' }),
    config: { inventorySources: [{ source: 'vcenter', id: 'vc-lab' }], ...config },
  });
  bot = localBot.bot;
  return { stack, localBot };
}

/** A full stack with a browser on it for one describe block: started before its tests, stopped after them. */
function useBrowserStack(config: Partial<BotConfigInput> = {}, timeScale?: number) {
  const on = {} as { stack: LocalStack; localBot: LocalBot; context: BrowserContext };
  let profile: string | undefined;
  beforeAll(async () => {
    Object.assign(on, await startFullStack(config, timeScale));
    profile = mkdtempSync(join(tmpdir(), 'rackops-chromium-'));
    on.context = await launchChromium(profile, 1600);
  }, 120_000);
  afterAll(async () => {
    await on.context?.close();
    await on.localBot?.close();
    await on.stack?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return on;
}

/** The newest card whose text has `text`. */
const cardWith = (page: Page, text: string | RegExp) =>
  page.locator('.ac-adaptiveCard', { hasText: text }).last();

/** A screenshot of one card, for people to look at (test-artifacts/). */
async function shot(l: Locator, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await l.scrollIntoViewIfNeeded();
  await l.screenshot({ path: join(ARTIFACTS, name) });
}

async function openChat(context: BrowserContext, localBot: LocalBot): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${localBot.chat.url}?user=local-operator&name=Olga%20Operator`);
  await page.getByText('I update Dell firmware').first().waitFor({ timeout: 20_000 });
  return page;
}

/**
 * The whole thing, as a new user would meet it: the rolling-update workflow, this bot and web chat in headless
 * chromium, with a screenshot of each card a new operator reads.
 */
describe('web chat on the full local stack: update cluster lab-a end to end', () => {
  const on = useBrowserStack();

  it('inventory sync, scp export, update cluster lab-a: progress, blockers, completion', async () => {
    const page = await openChat(on.context, on.localBot);

    // Inventory: counts as facts, never JSON.
    await send(page, 'inventory sync vcenter vc-lab');
    const inventory = cardWith(page, 'inventory synced');
    await inventory.waitFor({ timeout: 120_000 });
    const inventoryText = (await inventory.textContent()) ?? '';
    expect(inventoryText).toMatch(/Clusters\s*2/);
    expect(inventoryText).not.toMatch(/[{}]"|"counts"/);
    await shot(inventory, 'web-chat-stack-inventory.png');

    // The account loses its permission on lab-b: the next sync reads a third of the hosts. Nothing is marked
    // gone; the card says what fell and asks. Keeping everything changes nothing.
    const quirks = on.stack.lab!.world.vcenters.get('vc-lab')!.quirks;
    quirks.hiddenClusters.push('lab-b');
    await send(page, 'inventory sync vcenter vc-lab');
    const held = cardWith(page, 'reports far fewer objects');
    await held.waitFor({ timeout: 120_000 });
    expect(await held.textContent()).toMatch(/hosts 12 → 4/);
    await shot(held, 'web-chat-stack-inventory-held.png');
    quirks.hiddenClusters.length = 0;
    await held.getByRole('button', { name: 'Keep everything' }).click();
    await page
      .getByText(/kept every stored object of vcenter vc-lab/)
      .first()
      .waitFor({ timeout: 30_000 });
    const lab_b = (await on.stack.store.listRecordsByType<{ name: string }>('cluster')).items.find(
      (c) => c.data.name === 'lab-b',
    );
    expect(lab_b?.gone).toBe(false);

    // SCP export: the completion names the file the agent wrote.
    await send(page, 'scp export LABA004');
    const scp = cardWith(page, 'saved by the relay agent to');
    await scp.waitFor({ timeout: 120_000 });
    expect(await scp.textContent()).toMatch(/LABA004-\d{8}T\d{6}Z-JID\d+\.json/);
    await shot(scp, 'web-chat-stack-scp-export.png');

    await send(page, 'update cluster lab-a');
    const resume = page.getByRole('button', { name: 'Resume job' }).first();
    await resume.waitFor({ timeout: 180_000 });
    await page.getByText('local storage').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-stack-blockers.png'), fullPage: true });
    await resume.click();
    await page.getByText('Resumed by Olga Operator').first().waitFor({ timeout: 30_000 });

    // Progress against the plan: hosts done of hosts planned, each host's row saying what it does now.
    const progress = cardWith(page, /Update hosts — \d of 3 hosts done, [1-3] in progress/);
    await progress.waitFor({ timeout: 300_000 });
    expect(await progress.textContent()).toContain('Phase 4 of 5');
    await shot(progress, 'web-chat-stack-progress.png');

    // Completion: one line in the chat, the table in the card.
    const told = page.getByText(/^(✅ lab-a: |❌ lab-a failed: )/);
    await told.first().waitFor({ timeout: 840_000 });
    const line = (await told.first().textContent())?.trim() ?? '';
    // The card was updated in place before the line was sent; Web Chat redraws it a moment later.
    const completed = cardWith(page, line.slice(2));
    await completed.waitFor({ timeout: 30_000 });
    await shot(completed, 'web-chat-stack-completed.png');
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-stack-finished.png'), fullPage: true });
    expect(line).toMatch(/^✅ lab-a: 3 hosts updated, 1 already current, \d+ (s|min), HA restored$/);
    await completed.getByRole('button', { name: 'Show details' }).click();
    await completed
      .getByText(/^HA admission control restored/)
      .first()
      .waitFor();
    await shot(completed, 'web-chat-stack-completed-details.png');
    const job = (
      await on.stack.store.listJobsByTarget(
        'cluster',
        (
          await on.stack.store.listRecordsByType<{ name: string }>('cluster')
        ).items.find((c) => c.data.name === 'lab-a')!.id,
        { limit: 1 },
      )
    ).items[0];
    expect(job?.status).toBe('completed');

    await page.close();
  }, 1_200_000);
});

/**
 * A failure as an operator meets it, on a stack of its own. LABB001 is the one outdated host without a blocker;
 * lab-b is production under `npm start`'s configuration, so here no cluster is, or the job would first wait for
 * a second person (the four-eyes scenario shows that part).
 */
describe('web chat on the full local stack: a host that never comes back from its reboot', () => {
  // The reboot timeout is the long wait here: a faster clock shortens it (an hour of lab time is 15 s).
  const on = useBrowserStack({ productionClusters: [] }, 1 / 240);

  it('update host LABB001: what failed, where the host is now, what to do next', async () => {
    const page = await openChat(on.context, on.localBot);
    await send(page, 'inventory sync vcenter vc-lab');
    await cardWith(page, 'inventory synced').waitFor({ timeout: 120_000 });
    on.stack.lab!.faults.set('LABB001', { rebootHangs: true });
    await send(page, 'update host LABB001');
    await page
      .getByText(/^❌ esx-b01\.lab\.local failed: /)
      .first()
      .waitFor({ timeout: 600_000 });
    const failed = cardWith(page, 'Firmware update · host esx-b01');
    await failed.getByText('What failed').waitFor({ timeout: 30_000 });
    await shot(failed, 'web-chat-stack-failed.png');
    const failedText = (await failed.textContent()) ?? '';
    expect(failedText, failedText).toMatch(/Now: .*in maintenance mode/);
    expect(failedText).toContain('update host LABB001');
    // The engine's timeout is said as the step that did not finish, not only as States.Timeout.
    expect(failedText).toMatch(/Reboot to apply staged firmware, then verify: did not finish in time/);
    await page.close();
  }, 900_000);
});
