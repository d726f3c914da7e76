import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vm } from '@rackops/bot/testing/seed-inventory';
import type { BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotOnlyStack, startBotOnlyStack } from '../src/web/bot-only-stack';
import { ARTIFACTS, launchChromium, send } from './helpers/browser';

describe('local web chat in headless chromium (bot + stand-in workflow)', () => {
  let stack: BotOnlyStack;
  let context: BrowserContext;
  let profile: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    stack = await startBotOnlyStack({ logger: pino({ level: 'silent' }) });
    profile = mkdtempSync(join(tmpdir(), 'rackops-chromium-'));
    context = await launchChromium(profile);
  });
  afterAll(async () => {
    await context?.close();
    await stack?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('serves Web Chat from node_modules and answers help', async () => {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(stack.localBot.chat.url);
    await page.getByText('I update Dell firmware').first().waitFor({ timeout: 15_000 });
    await send(page, 'help');
    await page.getByText('RackOps commands').first().waitFor({ timeout: 10_000 });
    expect(await page.getByText('update cluster NAME').count()).toBeGreaterThan(0);
    // Outside code, Web Chat renders HTML and then sanitizes it: a `<name>` placeholder would vanish here.
    await send(page, 'update cluster');
    const usage = page.getByText(/Usage:/).last();
    await usage.waitFor({ timeout: 10_000 });
    expect(await usage.textContent()).toMatch(/^Missing \S+\. Usage: update cluster \S+ \[at \S+\]/);
    await page.close();
  }, 60_000);

  it('update cluster lab-a: blocker card answered by clicking, the card updates in place, completion message', async () => {
    stack.blockers = {
      LABA001: [vm('vm-101', 'usb_passthrough', 'critical'), vm('vm-102', 'connected_iso', 'warning')],
      LABA003: [vm('vm-301', 'pci_passthrough', 'critical')],
    };
    const page = await context.newPage();
    await page.goto(`${stack.localBot.chat.url}?user=local-operator&name=Olga%20Operator`);
    await page.getByText('I update Dell firmware').first().waitFor({ timeout: 15_000 });
    await send(page, 'update cluster lab-a');
    const resume = page.getByRole('button', { name: 'Resume job' }).first();
    await resume.waitFor({ timeout: 15_000 });
    // The wizard shows each blocked VM with its reason.
    await page.getByText('usb passthrough').first().waitFor();
    await resume.click();
    // The chat says it in one line; the card carries the rest.
    await page.getByText('✅ lab-a: all hosts updated').first().waitFor({ timeout: 15_000 });
    const told = Date.now();
    // In place: the wizard's message became the final progress card; no second job card was posted.
    const jobCards = page.locator('.ac-adaptiveCard', { hasText: 'Rolling firmware update' });
    await page
      .locator('.ac-adaptiveCard', { hasText: 'all hosts updated' })
      .first()
      .waitFor({ timeout: 10_000 });
    // The card is final when the chat says so, not 5 s later: its update went out before the message, and Web
    // Chat holds back an activity that replies to one it has never seen (updates named a made-up one).
    expect(Date.now() - told).toBeLessThan(2000);
    expect(await jobCards.count()).toBe(1);
    expect(await jobCards.first().textContent()).toContain('lab-a: all hosts updated');
    expect(await page.getByRole('button', { name: 'Resume job' }).count()).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-chat-update-cluster.png'), fullPage: true });
    const job = (await stack.store.listRecentJobs({ limit: 1 })).items[0];
    expect(job?.status).toBe('completed');
    expect((await stack.store.listJobItems(job!.id, 'resolution')).map((r) => r.key).sort()).toEqual([
      'LABA001',
      'LABA003',
      '_order',
    ]);
    // Action.Execute is never attempted by Web Chat (its fallback renders), so no console errors about it.
    expect(consoleErrors.filter((e) => /Action\.Execute|adaptive/i.test(e))).toEqual([]);
    await page.close();
  }, 60_000);
});
