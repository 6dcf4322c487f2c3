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
 * The call centre's own actions on work orders, in headless Chromium against the real CTI and the
 * PBX simulators: agent 1001 opens orders from the pop of a simulated call; the engineering
 * department (3001, REST) accepts and resolves one, and 1001 归档s it from 我的工单 (after a
 * refused 重新派单 without a reason, in Chinese); 1001 转交s another to 1002, whose console shows
 * it at once while 1001's drops it; the supervisor 升级s an emergency and adds a 协办部门 from
 * the board, which stays on one 1366×768 screen.
 */
describe('call-centre actions on work orders: 归档, 转交, 升级, 增加协办部门 (Chromium)', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  let a1: Page;
  let a2: Page;
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

  /** Files an order on the call the form is bound to; resolves with its number. */
  async function file(category: 'installation' | 'pipe_burst', description: string): Promise<string> {
    await a1.selectOption('#wo-category', category);
    if (category === 'pipe_burst') await a1.fill('#wo-location', '解放路与人民路口');
    await a1.fill('#wo-description', description);
    await a1.click('#wo-submit');
    await textIn(a1, '#wo-result', '已创建');
    return /WO\d{8}-\d{4}/.exec(await a1.locator('#wo-result').innerText())![0];
  }

  let call: { hangup(): void } | undefined;
  let first = '';
  let second = '';

  it('归档 from 我的工单 once the department resolved the order; a 重新派单 without a reason is refused in Chinese; 处理记录 shows every step', async () => {
    a1 = await open('1001', '/agent.html');
    a2 = await open('1002', '/agent.html');
    board = await open('2001', '/supervisor.html');
    await textIn(a1, '#my-orders', '暂无工单');
    await textIn(a2, '#my-orders', '暂无工单');

    await a1.click('#btn-ready');
    await textIn(a1, '#state', '就绪');
    call = h.ari.placeCall({ callerNumber: caller.phones[0]!, dtmf: [{ digit: '1', afterMs: 20 }] });
    await textIn(a1, '#customer-name', caller.name);
    await a1.waitForSelector('.banner.talking');
    first = await file('installation', '用户申请新装水表');
    const row = `#mine-${first}`;
    await a1.waitForSelector(row);

    // Before the result: 处理 offers only 转交; the history starts with 登记.
    await a1.click(`#mine-act-${first}`);
    const panel = `#mine-detail-${first}`;
    await a1.waitForSelector(`${panel} .order-history li[data-action="created"]`);
    expect(await a1.locator(`${panel} button[data-act]:not([data-act="refresh-notices"])`).evaluateAll((bs) => bs.map((b) => b.textContent))).to.deep.equal(['转交']);

    await department('accept', first);
    await department('resolve', first, { result: '已上门安装水表并通水' });
    await textIn(a1, `${row} .status`, '已办结');
    // The open panel follows: 归档 and 重新派单 now, the result in the history.
    await a1.waitForSelector(`${panel} button[data-act="archive"]`);
    await textIn(a1, `${panel} .order-history`, '办理结果：已上门安装水表并通水');
    await a1.waitForSelector(`${panel} .order-history li[data-action="resolved"]`);
    // The board lists it as waiting for 归档.
    await board.waitForSelector(`#wo-archive-${first}`);

    await a1.click(`${panel} button[data-act="reopen"]`);
    await textIn(a1, `${panel} .act-result.error`, '请填写重新派单原因');
    expect((await h.node.models.WorkOrder.findOne({ number: first }).lean())?.status).to.equal('resolved');

    await a1.click(`${panel} button[data-act="archive"]`);
    await textIn(a1, `${row} .status`, '已归档');
    await textIn(a1, `${panel} .act-result.ok`, '已归档');
    await a1.waitForSelector(`${panel} .order-history li[data-action="archived"]`);
    expect(await a1.locator(`${panel} .order-history li[data-action="archived"]`).innerText()).to.contain('1001');
    // Archived: only 重新派单 is left.
    expect(await a1.locator(`${panel} button[data-act]:not([data-act="refresh-notices"])`).evaluateAll((bs) => bs.map((b) => b.textContent))).to.deep.equal(['重新派单']);
    await board.waitForSelector(`#wo-archive-${first}`, { state: 'detached' });
    const stored = await h.node.models.WorkOrder.findOne({ number: first }).lean();
    expect(stored?.status).to.equal('archived');
    expect(stored?.history.at(-1)).to.include({ action: 'archived', by: '1001' });
    await a1.screenshot({ path: join(ARTIFACTS, 'call-centre-orders-agent-archived.png') });
  });

  it('转交 to 1002: the order appears in 1002’s 我的工单 live and drops from 1001’s', async () => {
    second = await file('installation', '用户要求改装水表位置');
    await a1.waitForSelector(`#mine-${second}`);
    await a1.click(`#mine-act-${second}`);
    const panel = `#mine-detail-${second}`;
    await a1.waitForSelector(`${panel} select[name="to"]`);
    // Whom to hand over to: the other agents, not oneself.
    const options = await a1.locator(`${panel} select[name="to"] option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).to.include('1002').and.not.include('1001');

    // Nobody chosen: refused in Chinese, nothing changes.
    await a1.click(`${panel} button[data-act="hand-over"]`);
    await a1.waitForSelector(`${panel} .act-result.error`);
    expect(await a1.locator(`${panel} .act-result`).innerText()).to.match(/[\u4e00-\u9fa5]/);
    expect((await h.node.models.WorkOrder.findOne({ number: second }).lean())?.owner).to.equal('1001');

    await a1.selectOption(`${panel} select[name="to"]`, '1002');
    await a1.fill(`${panel} input[name="note"]`, '用户要求由普通话坐席跟进');
    await a1.click(`${panel} button[data-act="hand-over"]`);
    await a2.waitForSelector(`#mine-${second}`);
    await a1.waitForSelector(`#mine-${second}`, { state: 'detached' });
    await a2.screenshot({ path: join(ARTIFACTS, 'call-centre-orders-handed-over-1002.png') });
    await a1.screenshot({ path: join(ARTIFACTS, 'call-centre-orders-handed-over-1001.png') });

    // 1002's 处理记录 names the hand-over.
    await a2.click(`#mine-act-${second}`);
    await textIn(a2, `#mine-detail-${second} .order-history li[data-action="handed-over"]`, '1001 → 1002');
    expect((await h.node.models.WorkOrder.findOne({ number: second }).lean())?.owner).to.equal('1002');
    // Still the same pages, connected.
    expect(await a1.locator('.conn.ok').count()).to.equal(1);
    expect(await a2.locator('.conn.ok').count()).to.equal(1);
  });

  it('the board: 升级 with a reason and 增加协办部门 on an emergency, with its 处理记录, all within 1366×768', async () => {
    const burst = await file('pipe_burst', '路面大量冒水，疑似主管爆裂');
    await board.waitForSelector(`#wo-emergency-${burst}`);
    await board.click(`#wo-emergency-act-${burst}`);
    const panel = `#wo-emergency-detail-${burst}`;
    await board.waitForSelector(`${panel} .order-history li[data-action="created"]`);

    // Without a reason: refused in Chinese.
    await board.click(`${panel} button[data-act="escalate"]`);
    await textIn(board, `${panel} .act-result.error`, '请填写升级原因');

    await board.fill(`${panel} input[name="escalationReason"]`, '影响多个小区供水，需公司协调');
    await board.click(`${panel} button[data-act="escalate"]`);
    await board.waitForSelector(`#wo-escalated-${burst}`);
    await textIn(board, `${panel} .act-result.ok`, '已升级');
    await textIn(board, `${panel} .order-history`, '影响多个小区供水，需公司协调');

    await board.selectOption(`${panel} select[name="departments"]`, 'business');
    await board.click(`${panel} button[data-act="participants"]`);
    await textIn(board, `${panel} .act-result.ok`, '已增加协办部门');
    await board.waitForSelector(`${panel} .order-history li[data-action="participant-added"]`);
    const stored = await h.node.models.WorkOrder.findOne({ number: burst }).lean();
    expect(stored?.escalated).to.equal(true);
    expect(stored?.participants).to.deep.equal(['business']);
    expect(stored?.history.find((e) => e.action === 'escalated')).to.include({ by: '2001' });

    // One screen: nothing below or beside the fold, the panel within the window.
    const outside = await board.evaluate(() => {
      const r = document.querySelector('#wo-panel')!.getBoundingClientRect();
      const doc = document.documentElement;
      return { docTaller: doc.scrollHeight > window.innerHeight, docWider: doc.scrollWidth > window.innerWidth, panelOut: r.bottom > window.innerHeight || r.right > window.innerWidth };
    });
    expect(outside).to.deep.equal({ docTaller: false, docWider: false, panelOut: false });
    await board.screenshot({ path: join(ARTIFACTS, 'call-centre-orders-board-escalated.png') });
    call?.hangup();
  });
});
