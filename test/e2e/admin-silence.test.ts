import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/**
 * The admins' part in Chromium: the 30-minute silence alarm (shortened) reaches the admin page
 * live with its self-check results, and the self-check can be run from the page on demand.
 */
describe('admin page in Chromium: silence alarm and self-check', function () {
  this.timeout(90_000);
  let h: PbxHarness;
  let browser: Browser;
  let admin: Page;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A long window at first: the page must be open before the silence alarm fires.
    h = await PbxHarness.start({ env: { SILENCE_ALARM_MS: '600000' } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    admin = await context.newPage();
    admin.on('pageerror', (err) => errors.push(err.message));
    await admin.goto(h.node.url);
    await admin.fill('#workNumber', '9001');
    await admin.fill('#password', 'test-password');
    await admin.click('#submit');
    await admin.waitForURL('**/admin.html');
    await admin.waitForSelector('.conn.ok');
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('shows the silence alarm live, with the results of the self-check', async () => {
    // Bring the window's end forward to now (as if 30 minutes had passed without a call).
    await h.calls.silence.rule.silentSince(Date.now() - 30 * 60_000);
    await admin.waitForSelector('#alarms :text("无来电")', { timeout: 30_000 });
    const feed = await admin.locator('#alarms').innerText();
    expect(feed).to.contain('30 分钟无来电');
    expect(feed).to.contain('自检正常');
    const stored = await waitFor(async () => (await h.node.models.Alarm.findOne({ kind: 'silence' }).lean()) ?? undefined, { what: 'alarm stored' });
    expect(stored.checks.map((c) => c.item)).to.include('test-call');
    await admin.screenshot({ path: join(ARTIFACTS, 'admin-silence-alarm.png'), fullPage: true });
  });

  it('runs the self-check on demand and shows a failed item (trunk unregistered)', async () => {
    h.pbx.setTrunk(false);
    await waitFor(() => !h.calls.pbx.snapshot().trunk.registered, { what: 'trunk down' });
    await admin.click('#run-self-check');
    await admin.waitForSelector('#self-check-items tr[data-item="test-call"]', { timeout: 40_000 });
    expect(await admin.locator('#self-check-items tr[data-item="trunk"]').innerText()).to.contain('故障');
    expect(await admin.locator('#self-check-items tr[data-item="test-call"]').innerText()).to.contain('正常');
    expect(await admin.locator('#self-check').innerText()).to.contain('自检发现故障');
    await admin.screenshot({ path: join(ARTIFACTS, 'admin-self-check.png'), fullPage: true });
    expect(errors).to.deep.equal([]);
  });
});
