/**
 * What every dashboard browser test starts with: the demo (`npm start`'s flows and simulators) and
 * headless Chromium on one page, script errors collected; and the one polling wait they use.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo, type Demo, type DemoOptions } from './demo';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface DashboardBrowser {
  demo: Demo;
  page: Page;
  /** Script errors the page raised, in order. */
  pageErrors: string[];
  /** Opens `/dashboard/<pagePath>` and waits for the text `ready` to show. */
  open(pagePath: string, ready: string): Promise<void>;
  close(): Promise<void>;
}

export async function openDashboard(options: DemoOptions = {}): Promise<DashboardBrowser> {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is needed for the dashboard test (${CHROMIUM})`);
  const demo = await startDemo(options);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const opened = browser;
    return {
      demo,
      page,
      pageErrors,
      async open(pagePath, ready) {
        await page.goto(`${demo.url}/dashboard/${pagePath}`);
        await page.getByText(ready, { exact: true }).first().waitFor({ state: 'visible', timeout: 20_000 });
      },
      async close() {
        await opened.close();
        await demo.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await demo.stop();
    throw err;
  }
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
