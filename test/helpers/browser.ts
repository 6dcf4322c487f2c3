import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless, with no traffic of its own (this machine reaches no outside host). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
