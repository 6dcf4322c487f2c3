import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsole, textIn } from '../helpers/browser';
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

  it('the talking agent sees 咨询/转接 and 转部门, consults 1005, and 完成转接 hands the caller over', async () => {
    const first = await openConsole(browser, h.node.url, { workNumber: '1004', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    const colleague = await openConsole(browser, h.node.url, { workNumber: '1005', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    await first.click('#btn-ready');
    await textIn(first, '#state', '就绪', 10_000);

    const caller = h.ari.placeCall({ callerNumber: '13800006789', dtmf: [{ digit: '2', afterMs: 0 }] });
    await first.waitForSelector('.banner.talking');
    // The transfer controls, only while in the call.
    await first.waitForSelector('#transfer:not([hidden]) #btn-consult');
    expect(await first.locator('#btn-transfer-out').innerText()).to.equal('转部门');
    expect(await first.locator('#transfer-dept option').allInnerTexts()).to.include('营业部 075786000101');

    await colleague.click('#btn-ready');
    await textIn(colleague, '#state', '就绪', 10_000);
    await first.click('#btn-transfer-refresh');
    await first.waitForSelector('#transfer-target option[value="1005"]', { state: 'attached' });
    await first.selectOption('#transfer-target', '1005');
    await first.click('#btn-consult');

    // The colleague's phone rings with the consult pop, then they talk (the simulated phone answers).
    await textIn(colleague, '#pop-consult, #call-consult', '来自 1004 的咨询', 10_000);
    await colleague.waitForSelector('.banner.talking #call-consult');
    await first.waitForSelector('#btn-consult-complete');
    await textIn(first, '#transfer-stage', '正在与 1005', 10_000);
    await first.screenshot({ path: join(ARTIFACTS, 'agent-transfer.png') });

    await first.click('#btn-consult-complete');
    await textIn(first, '#state', '话后处理', 10_000);
    await first.waitForSelector('.banner.acw');
    await waitFor(async () => (await h.calls.acd.agent('1005'))?.state === 'talking', { what: '1005 talking' });
    // The colleague holds the call now and may transfer it on.
    await colleague.waitForSelector('#transfer:not([hidden]) #btn-consult');
    await textIn(colleague, '#call-consult', '由 1004 转接', 10_000);
    await colleague.screenshot({ path: join(ARTIFACTS, 'agent-transfer-taken.png') });
    const bridges = h.ari.bridges().filter((b) => b.channels.includes(caller.id));
    expect(bridges).to.have.length(1);
    expect(bridges[0]!.channels).to.have.length(2);
    caller.hangup();
    await textIn(colleague, '#state', '话后处理', 10_000);
    expect(pageErrors).to.deep.equal([]);
  });
});
