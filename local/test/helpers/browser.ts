import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');

/** Which Chromium a browser test runs, and the flags it needs. */
export interface BrowserChoice {
  readonly executablePath: string;
  readonly args: readonly string[];
  /** For the test output: which browser ran. */
  readonly label: string;
}

const ISOLATION = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/**
 * A system Chromium when there is one (`CHROMIUM_PATH`, or `chromium` on PATH), else the one the npm
 * package `@sparticuz/chromium` ships inside itself (unpacked to the temp folder on first use): the tests
 * need nothing but Node and `npm ci` (DESIGN §10).
 */
export async function chooseChromium(): Promise<BrowserChoice> {
  const system = process.env.CHROMIUM_PATH ?? onPath('chromium') ?? onPath('chromium-browser');
  if (system)
    return {
      executablePath: system,
      args: ['--headless', ...ISOLATION],
      label: `system Chromium (${system})`,
    };
  const { default: packaged } = await import('@sparticuz/chromium');
  // Its args turn web security off for serverless screenshots; the tests keep the browser's defaults.
  const args = packaged.args.filter(
    (a) => a !== '--disable-web-security' && a !== '--allow-running-insecure-content',
  );
  return {
    executablePath: await packaged.executablePath(),
    args: [...args, ...ISOLATION],
    label: 'npm @sparticuz/chromium (no system Chromium found)',
  };
}

/** Headless Chromium, fresh profile, no network beyond loopback (DESIGN §10). Says which browser ran. */
export async function launchChromium(profile: string, height = 1400): Promise<BrowserContext> {
  const choice = await chooseChromium();
  console.log(`browser: ${choice.label}`);
  return chromium.launchPersistentContext(profile, {
    executablePath: choice.executablePath,
    headless: true,
    args: [...choice.args],
    viewport: { width: 1000, height },
  });
}

/** Types a message into Web Chat's send box, as a user would. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.locator('[data-id="webchat-sendbox-input"]');
  await box.fill(text);
  await box.press('Enter');
}
