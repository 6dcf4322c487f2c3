import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { AgentClientToServer, AgentServerToClient } from '../../contracts';
import { launchChromium, openConsole, textIn } from '../helpers/browser';
import { ConsoleClient, login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';

/**
 * The supervisor board in headless Chromium when its supervisor is consulted: the banner says who
 * consults and who is calling, then that the call was handed to them, and goes when the call ends.
 */
describe('board in Chromium: the consulted supervisor sees the consult and the handed-over call', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: [], env: { ANSWER_ALARM_MS: '10000', AFTER_CALL_WORK_MS: '60000' } });
    await h.calls.agents.login('1004');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('「来自 1004 王丽娜 的咨询」 with the caller and customer, then 「您正在接听由 1004 转接的来电」 until the call ends', async () => {
    const boardPage = await openConsole(browser, h.node.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors);
    expect(await boardPage.locator('#consult-notice').isHidden()).to.equal(true);
    const customer = await h.node.models.Customer.findOne({ 'phones.0': { $exists: true } }).lean();

    await h.calls.agents.change('1004', 'ready');
    const caller = h.ari.placeCall({ callerNumber: customer!.phones[0]!, dtmf: [{ digit: '2', afterMs: 0 }] });
    const callId = await waitFor(async () => {
      const a = await h.calls.acd.agent('1004');
      return a?.state === 'talking' && a.callId;
    }, { what: '1004 talking' });
    const agent = new ConsoleClient<AgentServerToClient, AgentClientToServer>(h.node.url, '/agent', (await login(h.node.url, '1004', PASSWORD)).token);
    await agent.connect();
    try {
      await waitFor(() => h.ari.bridges().some((b) => b.channels.includes(caller.id) && b.channels.length === 2), { what: 'caller bridged with 1004' });
      const consult = await agent.command('call:consult', { callId, target: '2001' });
      expect(consult.ok, JSON.stringify(consult)).to.equal(true);
      await textIn(boardPage, '#consult-notice', '来自 1004 王丽娜 的咨询', 10_000);
      await textIn(boardPage, '#consult-notice', '咨询中', 10_000);
      const text = await boardPage.locator('#consult-notice').innerText();
      expect(text).to.contain(`来电号码 ${customer!.phones[0]}`).and.contain(customer!.name).and.contain(customer!.accountNumber);
      await boardPage.screenshot({ path: join(ARTIFACTS, 'board-consult.png') });

      expect((await agent.command('call:consult-complete', { callId })).ok).to.equal(true);
      await textIn(boardPage, '#consult-notice', '您正在接听由 1004 王丽娜 转接的来电', 10_000);
      // A reload keeps it.
      await boardPage.reload();
      await textIn(boardPage, '#consult-notice', '您正在接听由 1004 王丽娜 转接的来电', 10_000);
      await boardPage.screenshot({ path: join(ARTIFACTS, 'board-consult-taken.png') });

      caller.hangup();
      await boardPage.waitForSelector('#consult-notice', { state: 'hidden' });
    } finally {
      agent.close();
    }
    expect(pageErrors).to.deep.equal([]);
  });
});
