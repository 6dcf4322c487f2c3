import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with no traffic of its own (this machine reaches no outside host). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Logs `workNumber` in at the console's front page, as a person at a 1366×768 desk in Shanghai
 * would, and resolves once the page at `expectPath` is connected. Page errors go to `pageErrors`.
 */
export async function openConsole(
  browser: Browser,
  url: string,
  who: { workNumber: string; password: string; expectPath: string },
  pageErrors: string[],
  viewport = { width: 1366, height: 768 },
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${who.workNumber}: ${err.message}`));
  await page.goto(url);
  await page.fill('#workNumber', who.workNumber);
  await page.fill('#password', who.password);
  await page.click('#submit');
  await page.waitForURL(`**${who.expectPath}`);
  await page.waitForSelector('.conn.ok');
  return page;
}

/** Resolves once the first element matching `selector` has `wanted` in its text (a page updated by its socket). */
export function textIn(page: Page, selector: string, wanted: string, timeout = 15_000): Promise<unknown> {
  return page.waitForFunction(([sel, w]) => (document.querySelector(sel!)?.textContent ?? '').includes(w!), [selector, wanted] as const, { timeout });
}
