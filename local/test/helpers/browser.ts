import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');

/** Headless Debian chromium, fresh profile, no network beyond loopback (DESIGN §10). */
export function launchChromium(profile: string, height = 1400): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1000, height },
  });
}

/** Types a message into Web Chat's send box, as a user would. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.locator('[data-id="webchat-sendbox-input"]');
  await box.fill(text);
  await box.press('Enter');
}
