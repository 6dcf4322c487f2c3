import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { stepStored } from '../helpers/calls';
import { launchChromium, openConsole, textIn } from '../helpers/browser';
import { PbxHarness } from '../helpers/pbx-harness';
import { chooseCallback, hears } from '../helpers/queue-callback';
import { waitFor } from '../helpers/wait';
import { agentLegId } from '../../cti/calls/offer';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';

/**
 * 排队回拨 in Chromium against the simulated PBX: the board shows the virtual caller 「回拨 138…」 at
 * its place, the agent's pop 「回拨：138…」 while their phone rings; the caller is not reached, and the
 * task 排队回拨 appears on the agents' 回访任务 list, where it is opened (拨打 in its form) and closed
 * with its short result.
 */
describe('queue callback marks and the task for a person (Chromium, simulated PBX)', function () {
  this.timeout(90_000);
  let h: PbxHarness;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({
      soundMs: 20,
      ready: [],
      trunkEndpoint: 'carrier',
      env: {
        NOTICE_TRUNK_ENDPOINT: 'carrier',
        OUTAGE_IVR: 'false',
        QUEUE_CALLBACK_OFFER_MS: '100',
        QUEUE_CALLBACK_KEY_WAIT_MS: '400',
        // One dial-out, no retry: the task follows the first failure.
        QUEUE_CALLBACK_RETRIES: '0',
      },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });
  afterEach(() => {
    expect(pageErrors.splice(0), 'script errors').to.deep.equal([]);
  });

  it('board 「回拨 138…」 → pop 「回拨：138…」 → not reached → 排队回拨 task on the list, opened and closed', async () => {
    const N = '13800006666';
    // The agent's phone rings until the pop was looked at; then the caller rejects the dial-out.
    h.pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    h.ari.setCallee(N, { kind: 'decline', afterMs: 50 });
    const agent = await openConsole(browser, h.node.url, { workNumber: '1001', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    const board = await openConsole(browser, h.node.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors);

    const caller = h.ari.placeCall({ callerNumber: N });
    await hears(caller, 'greeting-choose');
    caller.sendDtmf('1');
    await chooseCallback(caller, '1');
    await caller.ended;
    const { callId } = await waitFor(async () => h.node.models.Call.findOne({ callerNumber: N }).lean(), { what: 'the call recorded' });
    await stepStored(h, callId, 'callback-waiting');

    // The board's queue: the virtual caller at its place, marked 回拨 with the number.
    await textIn(board, `tr[data-call="${callId}"]`, `回拨 ${N}`, 20_000);
    const boardShot = await board.screenshot();

    // Ready: the agent's phone rings first, the pop marked 回拨：<number>.
    await agent.click('#btn-ready');
    await textIn(agent, '#pop-callback', `回拨：${N}`, 20_000);
    const popShot = await agent.screenshot();
    await sideBySide([boardShot, popShot], join(ARTIFACTS, 'queue-callback.png'));
    h.ari.agentAnswer(agentLegId(callId, 1));

    // Not reached (no retry here): the call ends failed and the task is on the agents' list.
    await waitFor(async () => (await h.node.models.Call.findOne({ callId }).lean())?.state === 'ended', { what: 'the call ended' });
    const task = await waitFor(async () => h.node.models.Callback.findOne({ callId }).lean(), { what: 'the task stored' });
    const id = `queue.${callId}`;
    expect(task.id).to.equal(id);
    const row = `#cb-${id.replace(/\./g, '-')}`;
    await agent.click('#btn-callbacks');
    await agent.waitForSelector(row);
    const cells = await agent.locator(`${row} td`).allInnerTexts();
    expect(cells.slice(0, 4)).to.deep.equal(['—', '排队回拨 · 上次坐席 1001', N, '—']);
    await agent.click(`#cb-open-${id.replace(/\./g, '-')}`);
    await textIn(agent, '#cb-who', `排队回拨 · ${N}`, 20_000);
    expect(await agent.locator('#cb-dial').isVisible()).to.equal(true);
    expect(await agent.locator('#cb-verdict-row').isVisible()).to.equal(false);
    expect(await agent.locator('#cb-words-label').innerText()).to.equal('备注（来电诉求、联系情况）');
    await agent.locator('#cb-submit').scrollIntoViewIfNeeded();
    await agent.screenshot({ path: join(ARTIFACTS, 'queue-callback-task.png') });

    // The short result: nothing chosen is refused in Chinese; then 已联系上客户 with a note.
    await agent.click('#cb-submit');
    await textIn(agent, '#cb-result', '请选择：结果', 20_000);
    await agent.selectOption('#cb-reached', 'yes');
    await agent.fill('#cb-words', '客户已另行来电解决');
    await agent.click('#cb-submit');
    await textIn(agent, '#cb-result', `排队回拨已登记：${N}，已联系上客户`, 20_000);
    await agent.waitForSelector(row, { state: 'detached' });
    expect(await h.node.models.Callback.findOne({ id }).lean()).to.deep.include({ status: 'done', reached: true, customerWords: '客户已另行来电解决', doneBy: '1001' });
  });

  /** Two screenshots next to each other in one PNG: the board and the agent's pop at a glance. */
  async function sideBySide(shots: Buffer[], path: string): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1366 * shots.length, height: 768 } });
    await page.setContent(`<body style="margin:0;display:flex">${shots.map((s) => `<img src="data:image/png;base64,${s.toString('base64')}">`).join('')}</body>`);
    await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
    writeFileSync(path, await page.screenshot());
    await page.close();
  }
});
