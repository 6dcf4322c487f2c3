import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { customers } from '../../scripts/seed-data';
import type { ErrorBody } from '../../contracts';
import { launchChromium, openConsole, textIn } from '../helpers/browser';
import { login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';

/**
 * A work order's life as the call centre watches it, in headless Chromium against the real CTI and
 * the PBX simulators: agent 1001 opens a burst-main order from the pop of a simulated call; the
 * engineering department (user 3001) accepts and resolves it over REST; the agent's 我的工单 and
 * the supervisor board's work-order panel follow each step without a reload.
 */
describe('work order live in the agent console and on the supervisor board (Chromium)', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  let agent: Page;
  let board: Page;
  const pageErrors: string[] = [];
  const caller = customers().filter((c) => c.preferredLanguage !== 'cmn' && !c.bigUser)[0]!;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: [], env: { AFTER_CALL_WORK_MS: '60000' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });
  afterEach(() => {
    expect(pageErrors.splice(0)).to.deep.equal([]);
  });

  const open = (workNumber: string, path: string) => openConsole(browser, h.node.url, { workNumber, password: PASSWORD, expectPath: path }, pageErrors);
  async function department(action: 'accept' | 'resolve', number: string, body?: unknown): Promise<void> {
    const { token } = await login(h.node.url, '3001', PASSWORD);
    const res = await fetch(`${h.node.url}/api/work-orders/${number}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${action}: ${res.status === 200 ? '' : ((await res.json()) as ErrorBody).error.message}`).to.equal(200);
  }

  it('an order opened from a pop shows in 我的工单 and on the board; accept and resolve by the department show live in both', async () => {
    agent = await open('1001', '/agent.html');
    board = await open('2001', '/supervisor.html');
    await textIn(agent, '#my-orders', '暂无工单');
    await textIn(board, '#wo-board', '暂无未办结工单');

    // A call through the simulated PBX: the pop, answered by 1001's simulated phone.
    await agent.click('#btn-ready');
    await textIn(agent, '#state', '就绪');
    const call = h.ari.placeCall({ callerNumber: caller.phones[0]!, dtmf: [{ digit: '1', afterMs: 20 }] });
    await textIn(agent, '#customer-name', caller.name);
    await agent.waitForSelector('.banner.talking');

    await agent.selectOption('#wo-category', 'pipe_burst');
    await agent.fill('#wo-location', '解放路与人民路口');
    await agent.fill('#wo-diameter', '300');
    await agent.fill('#wo-description', '路面大量冒水，疑似主管爆裂');
    await agent.click('#wo-submit');
    await textIn(agent, '#wo-result', '已创建');
    const number = /WO\d{8}-\d{4}/.exec(await agent.locator('#wo-result').innerText())![0];

    // 我的工单: the order with its emergency flag and its time limit; the board: an emergency not yet accepted.
    const mineRow = `#mine-${number}`;
    await agent.waitForSelector(mineRow);
    expect(await agent.locator(`${mineRow} .flags`).innerText()).to.contain('紧急');
    // The time left to the completion limit, when the order has one (the category's time limit).
    const stored = await h.node.models.WorkOrder.findOne({ number }).lean();
    const timeCell = agent.locator(`${mineRow} td`).nth(6);
    if (stored?.dueBy) await textIn(agent, `${mineRow} .deadline`, '办结剩');
    else expect(await timeCell.innerText()).to.equal('无时限');
    await board.waitForSelector(`#wo-emergency-${number}`);
    await textIn(board, '#wo-dept-engineering', '工程公司');
    expect(await board.locator('#wo-dept-engineering td').nth(1).innerText()).to.equal('1');
    // The panel fits the board's one 1366×768 screen beside the alarms.
    const outside = await board.evaluate(() => {
      const r = document.querySelector('#wo-panel')!.getBoundingClientRect();
      const doc = document.documentElement;
      return { docTaller: doc.scrollHeight > window.innerHeight, docWider: doc.scrollWidth > window.innerWidth, panelOut: r.bottom > window.innerHeight || r.right > window.innerWidth || r.height < 100 };
    });
    expect(outside).to.deep.equal({ docTaller: false, docWider: false, panelOut: false });
    await board.screenshot({ path: join(ARTIFACTS, 'work-order-live-board-emergency.png') });

    // The department accepts: the agent sees 已受理, the emergency leaves the board.
    await department('accept', number);
    await textIn(agent, `${mineRow} .status`, '已受理');
    await board.waitForSelector(`#wo-emergency-${number}`, { state: 'detached' });
    expect(await board.locator('#wo-dept-engineering td').nth(1).innerText()).to.equal('1');
    await agent.screenshot({ path: join(ARTIFACTS, 'work-order-live-agent-accepted.png') });

    // Resolved with its result: 已办结 for the agent, nothing open left on the board.
    await department('resolve', number, { result: '已关阀抢修，恢复供水' });
    await textIn(agent, `${mineRow} .status`, '已办结');
    expect(await agent.locator(`${mineRow} .deadline`).count()).to.equal(0);
    expect(await agent.locator(`#urge-mine-${number}`).count()).to.equal(0);
    await textIn(board, '#wo-board', '暂无未办结工单');
    await agent.screenshot({ path: join(ARTIFACTS, 'work-order-live-agent-resolved.png') });
    await board.screenshot({ path: join(ARTIFACTS, 'work-order-live-board-resolved.png') });

    // Nothing was reloaded: the same pages, still connected.
    expect(await agent.locator('.conn.ok').count()).to.equal(1);
    call.hangup();
  });
});
