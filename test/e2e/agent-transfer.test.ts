import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsole } from '../helpers/browser';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';

/**
 * 咨询/转接 on the agent console in headless Chromium, against the real CTI and the ARI simulator:
 * during a call the transfer controls show; the agent consults a Ready colleague, whose console pops
 * 「来自 1004 的咨询」, and completes the transfer: the colleague has the caller, the agent wraps up.
 */
describe('agent console in Chromium: consult a colleague and complete the transfer', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: [], env: { ANSWER_ALARM_MS: '10000', AFTER_CALL_WORK_MS: '60000' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  const waitForText = (page: Page, sel: string, wanted: string, timeout = 10_000) =>
    page.waitForFunction(([s, w]) => (document.querySelector(s!)?.textContent ?? '').includes(w!), [sel, wanted] as const, { timeout });

  it('the talking agent sees 咨询/转接 and 转部门, consults 1005, and 完成转接 hands the caller over', async () => {
    const first = await openConsole(browser, h.node.url, { workNumber: '1004', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    const colleague = await openConsole(browser, h.node.url, { workNumber: '1005', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    await first.click('#btn-ready');
    await waitForText(first, '#state', '就绪');

    const caller = h.ari.placeCall({ callerNumber: '13800006789', dtmf: [{ digit: '2', afterMs: 0 }] });
    await first.waitForSelector('.banner.talking');
    // The transfer controls, only while in the call.
    await first.waitForSelector('#transfer:not([hidden]) #btn-consult');
    expect(await first.locator('#btn-transfer-out').innerText()).to.equal('转部门');
    expect(await first.locator('#transfer-dept option').allInnerTexts()).to.include('营业部 075786000101');

    await colleague.click('#btn-ready');
    await waitForText(colleague, '#state', '就绪');
    await first.click('#btn-transfer-refresh');
    await first.waitForSelector('#transfer-target option[value="1005"]', { state: 'attached' });
    await first.selectOption('#transfer-target', '1005');
    await first.click('#btn-consult');

    // The colleague's phone rings with the consult pop, then they talk (the simulated phone answers).
    await waitForText(colleague, '#pop-consult, #call-consult', '来自 1004 的咨询');
    await colleague.waitForSelector('.banner.talking #call-consult');
    await first.waitForSelector('#btn-consult-complete');
    await waitForText(first, '#transfer-stage', '正在与 1005');
    await first.screenshot({ path: join(ARTIFACTS, 'agent-transfer.png') });

    await first.click('#btn-consult-complete');
    await waitForText(first, '#state', '话后处理');
    await first.waitForSelector('.banner.acw');
    await waitFor(async () => (await h.calls.acd.agent('1005'))?.state === 'talking', { what: '1005 talking' });
    // The colleague holds the call now and may transfer it on.
    await colleague.waitForSelector('#transfer:not([hidden]) #btn-consult');
    await waitForText(colleague, '#call-consult', '由 1004 转接');
    await colleague.screenshot({ path: join(ARTIFACTS, 'agent-transfer-taken.png') });
    const bridges = h.ari.bridges().filter((b) => b.channels.includes(caller.id));
    expect(bridges).to.have.length(1);
    expect(bridges[0]!.channels).to.have.length(2);
    caller.hangup();
    await waitForText(colleague, '#state', '话后处理');
    expect(pageErrors).to.deep.equal([]);
  });
});
